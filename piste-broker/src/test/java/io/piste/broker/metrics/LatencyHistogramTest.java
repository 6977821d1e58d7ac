package io.piste.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void shouldPutEachObservationInTheFirstBucketItFitsAndSumThem() {
        LatencyHistogram histogram = new LatencyHistogram(new double[] {1, 5, 10}, 1);
        histogram.observe(0);
        histogram.observe(1);
        histogram.observe(2);
        histogram.observe(10);
        histogram.observe(11);

        assertThat(histogram.upperBounds()).containsExactly(1, 5, 10, Double.POSITIVE_INFINITY);
        assertThat(histogram.bucketCounts()).containsExactly(2, 1, 1, 1);
        assertThat(histogram.count()).isEqualTo(5);
        assertThat(histogram.sum()).isEqualTo(24.0);
    }

    @Test
    void shouldTakeNanosecondsForBoundsInSeconds() {
        LatencyHistogram histogram = LatencyHistogram.ofNanos();
        histogram.observe(2_000_000); // 2 ms: the 2.5 ms bucket
        long[] counts = histogram.bucketCounts();
        int bucket = java.util.Arrays.binarySearch(LatencyHistogram.LATENCY_BOUNDS_SECONDS, 0.0025);
        assertThat(counts[bucket]).isEqualTo(1);
        assertThat(histogram.sum()).isEqualTo(0.002);
    }
}
