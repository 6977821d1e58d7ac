/** JMH micro-benchmarks of Piste's hot paths, run from {@code piste-bench/target/benchmarks.jar}. */
package io.piste.bench;
