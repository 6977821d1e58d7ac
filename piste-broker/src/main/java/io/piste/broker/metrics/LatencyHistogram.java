package io.piste.broker.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram of fixed buckets (Prometheus' classic histogram: cumulative counts per upper bound, a count and a
 * sum), recorded with {@link LongAdder}s: {@link #observe} allocates nothing and takes no lock. Thread-safe; a
 * scrape may see an observation in the sum and not yet in its bucket, as with any lock-free histogram.
 */
public final class LatencyHistogram {

    /** Seconds: from 0.1 ms (an append to the page cache) to 10 s (a long poll's max.wait.ms). */
    public static final double[] LATENCY_BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    private final double[] bounds;
    private final long[] boundsScaled;
    private final double scale;
    private final LongAdder[] buckets;
    private final LongAdder sumScaled = new LongAdder();

    /**
     * @param bounds the upper bounds, ascending (the +Inf bucket is added)
     * @param scale  observations are in units of 1/scale of the bounds' unit (1e9 for nanoseconds and bounds in
     *               seconds, 1 for plain counts)
     */
    public LatencyHistogram(double[] bounds, double scale) {
        this.bounds = bounds.clone();
        this.scale = scale;
        this.boundsScaled = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            boundsScaled[i] = (long) Math.ceil(bounds[i] * scale);
        }
        this.buckets = new LongAdder[bounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** A histogram of durations in seconds, observed in nanoseconds. */
    public static LatencyHistogram ofNanos() {
        return new LatencyHistogram(LATENCY_BOUNDS_SECONDS, 1e9);
    }

    /** Records one observation, in units of 1/scale (nanoseconds for {@link #ofNanos}). */
    public void observe(long value) {
        int i = 0;
        while (i < boundsScaled.length && value > boundsScaled[i]) {
            i++;
        }
        buckets[i].increment();
        sumScaled.add(value);
    }

    /** The upper bounds, +Inf last. */
    public double[] upperBounds() {
        double[] all = new double[bounds.length + 1];
        System.arraycopy(bounds, 0, all, 0, bounds.length);
        all[bounds.length] = Double.POSITIVE_INFINITY;
        return all;
    }

    /** The observations per bucket (not cumulative), the +Inf bucket last. */
    public long[] bucketCounts() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    /** The sum of the observations, in the bounds' unit. */
    public double sum() {
        return sumScaled.sum() / scale;
    }

    public long count() {
        long count = 0;
        for (LongAdder bucket : buckets) {
            count += bucket.sum();
        }
        return count;
    }
}
