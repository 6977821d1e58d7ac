/** Benchmarks of what the broker's meters cost on the produce path ({@code RequestMetrics}, {@code TopicMeters}). */
package io.piste.bench.metrics;
