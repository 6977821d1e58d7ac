/** Benchmarks of the sparse offset and time index lookups. */
package io.piste.bench.index;
