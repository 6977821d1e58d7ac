package io.piste.broker.metrics;

/**
 * The group commit's meters: how long each durable flush took (one file system sync of a log dir, or the fsyncs of
 * a round's partitions of a log dir), and how many partitions each round made durable together. Thread-safe.
 */
public final class FlushMetrics {

    /** Partitions per group-commit round. */
    private static final double[] ROUND_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

    private final LatencyHistogram flushSeconds = LatencyHistogram.ofNanos();
    private final LatencyHistogram roundPartitions = new LatencyHistogram(ROUND_BOUNDS, 1);

    public void recordFlush(long nanos) {
        flushSeconds.observe(nanos);
    }

    public void recordRound(int partitions) {
        roundPartitions.observe(partitions);
    }

    public LatencyHistogram flushSeconds() {
        return flushSeconds;
    }

    public LatencyHistogram roundPartitions() {
        return roundPartitions;
    }
}
