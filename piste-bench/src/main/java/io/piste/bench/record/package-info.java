/** Benchmarks of the produce path's batch checks: {@code BatchValidator} over a {@code RecordBatchView}. */
package io.piste.bench.record;
