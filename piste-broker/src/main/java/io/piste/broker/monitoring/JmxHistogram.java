package io.piste.broker.monitoring;

import io.piste.broker.metrics.LatencyHistogram;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A Kafka histogram MBean over one of the broker's bucket histograms (one source of truth with the Prometheus
 * series), in milliseconds. {@code Count} and {@code Mean} cover everything since the start, as Yammer's do. The
 * percentiles, {@code Min}, {@code Max} and {@code StdDev} cover the recent observations, as Yammer's decaying
 * reservoir does: those since a snapshot taken one to two minutes ago when the MBean is read at least once a minute
 * (since the previous read otherwise; everything since the start while nothing newer came in). With fixed buckets
 * they are estimates: a percentile is interpolated within its bucket, {@code Min} and {@code Max} are the bounds of
 * the lowest and highest bucket used (the last finite bound for the overflow bucket), {@code StdDev} is computed from
 * the buckets' midpoints. Thread-safe.
 */
final class JmxHistogram implements HistogramMBean {

    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Supplier<LatencyHistogram> histogram;
    private final LongSupplier nanoClock;
    private final double toMillis;
    private long[] older;
    /** The snapshot the next window starts from, taken at the first read and then at most once a minute. */
    private long[] newer;

    private long newerNanos;

    /**
     * @param histogram the histogram, or null while it does not exist yet
     * @param toMillis  what one unit of the histogram's bounds is in milliseconds (1000 for seconds)
     */
    JmxHistogram(Supplier<LatencyHistogram> histogram, double toMillis, LongSupplier nanoClock) {
        this.histogram = histogram;
        this.toMillis = toMillis;
        this.nanoClock = nanoClock;
    }

    @Override
    public long getCount() {
        LatencyHistogram h = histogram.get();
        return h == null ? 0 : h.count();
    }

    @Override
    public double getMean() {
        LatencyHistogram h = histogram.get();
        long count = h == null ? 0 : h.count();
        return count == 0 ? 0 : h.sum() / count * toMillis;
    }

    @Override
    public double getMin() {
        Recent recent = recent();
        for (int i = 0; i < recent.counts.length; i++) {
            if (recent.counts[i] > 0) {
                return lower(recent.bounds, i) * toMillis;
            }
        }
        return 0;
    }

    @Override
    public double getMax() {
        Recent recent = recent();
        for (int i = recent.counts.length - 1; i >= 0; i--) {
            if (recent.counts[i] > 0) {
                return upper(recent.bounds, i) * toMillis;
            }
        }
        return 0;
    }

    @Override
    public double getStdDev() {
        Recent recent = recent();
        long n = recent.total();
        if (n < 2) {
            return 0;
        }
        double mean = 0;
        for (int i = 0; i < recent.counts.length; i++) {
            mean += recent.counts[i] * midpoint(recent.bounds, i);
        }
        mean /= n;
        double squares = 0;
        for (int i = 0; i < recent.counts.length; i++) {
            double d = midpoint(recent.bounds, i) - mean;
            squares += recent.counts[i] * d * d;
        }
        return Math.sqrt(squares / (n - 1)) * toMillis;
    }

    @Override
    public double get50thPercentile() {
        return percentile(0.50);
    }

    @Override
    public double get75thPercentile() {
        return percentile(0.75);
    }

    @Override
    public double get95thPercentile() {
        return percentile(0.95);
    }

    @Override
    public double get98thPercentile() {
        return percentile(0.98);
    }

    @Override
    public double get99thPercentile() {
        return percentile(0.99);
    }

    @Override
    public double get999thPercentile() {
        return percentile(0.999);
    }

    double percentile(double quantile) {
        Recent recent = recent();
        long n = recent.total();
        if (n == 0) {
            return 0;
        }
        double rank = quantile * n;
        long below = 0;
        for (int i = 0; i < recent.counts.length; i++) {
            long count = recent.counts[i];
            if (count > 0 && below + count >= rank) {
                double lower = lower(recent.bounds, i);
                double fraction = (rank - below) / count;
                return (lower + (upper(recent.bounds, i) - lower) * fraction) * toMillis;
            }
            below += count;
        }
        return upper(recent.bounds, recent.counts.length - 1) * toMillis;
    }

    /** The bucket counts of the recent observations, with the histogram's bounds (+Inf last). */
    private record Recent(double[] bounds, long[] counts) {
        long total() {
            long total = 0;
            for (long count : counts) {
                total += count;
            }
            return total;
        }
    }

    private synchronized Recent recent() {
        LatencyHistogram h = histogram.get();
        if (h == null) {
            return new Recent(new double[] {Double.POSITIVE_INFINITY}, new long[1]);
        }
        long[] now = h.bucketCounts();
        long nanos = nanoClock.getAsLong();
        if (newer == null) {
            newer = now;
            newerNanos = nanos;
        } else if (nanos - newerNanos >= WINDOW_NANOS) {
            older = newer;
            newer = now;
            newerNanos = nanos;
        }
        long[] recent = now.clone();
        if (older != null) {
            long total = 0;
            for (int i = 0; i < recent.length; i++) {
                recent[i] -= older[i];
                total += recent[i];
            }
            if (total == 0) {
                recent = now.clone(); // nothing recent: what there is
            }
        }
        return new Recent(h.upperBounds(), recent);
    }

    private static double lower(double[] bounds, int bucket) {
        return bucket == 0 ? 0 : bounds[bucket - 1];
    }

    /** The bucket's upper bound; the overflow bucket's is taken as the last finite one. */
    private static double upper(double[] bounds, int bucket) {
        return Double.isInfinite(bounds[bucket]) ? lower(bounds, bucket) : bounds[bucket];
    }

    private static double midpoint(double[] bounds, int bucket) {
        return (lower(bounds, bucket) + upper(bounds, bucket)) / 2;
    }
}
