/** Benchmarks of partitions on the produce path: appends with durable acknowledgements (group commit). */
package io.piste.bench.partition;
