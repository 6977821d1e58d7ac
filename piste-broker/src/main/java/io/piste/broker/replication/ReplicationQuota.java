package io.piste.broker.replication;

/**
 * A bytes-per-second bound measured as Kafka's replication quota measures it: bytes recorded in {@code windows}
 * samples of {@code windowMs} each, divided by the time they span, counted as at least {@code windows - 1} whole
 * samples (so a quiet start does not read as an unbounded rate). Exceeded once that rate is above the bound.
 * Thread-safe.
 */
final class ReplicationQuota {

    private final long windowMs;
    private final long[] sampleBytes;
    private final long[] sampleStartMs;
    private int current;

    ReplicationQuota(int windows, long windowMs) {
        if (windows < 1 || windowMs < 1) {
            throw new IllegalArgumentException(windows + " windows of " + windowMs + " ms");
        }
        this.windowMs = windowMs;
        this.sampleBytes = new long[windows];
        this.sampleStartMs = new long[windows];
        java.util.Arrays.fill(sampleStartMs, Long.MIN_VALUE);
    }

    synchronized void record(long bytes, long nowMs) {
        roll(nowMs);
        sampleBytes[current] += bytes;
    }

    /** The measured rate in bytes/s. */
    synchronized double rate(long nowMs) {
        roll(nowMs);
        long total = 0;
        long oldestStart = nowMs;
        for (int i = 0; i < sampleBytes.length; i++) {
            if (sampleStartMs[i] != Long.MIN_VALUE && nowMs - sampleStartMs[i] < windowMs * sampleBytes.length) {
                total += sampleBytes[i];
                oldestStart = Math.min(oldestStart, sampleStartMs[i]);
            }
        }
        long spanMs = Math.max(nowMs - oldestStart, windowMs * (sampleBytes.length - 1));
        return spanMs <= 0 ? total * 1000.0 / windowMs : total * 1000.0 / spanMs;
    }

    /** Whether more than {@code bytesPerSecond} went through; never with {@link Long#MAX_VALUE} (no bound). */
    boolean isExceeded(long bytesPerSecond, long nowMs) {
        return bytesPerSecond != Long.MAX_VALUE && rate(nowMs) > bytesPerSecond;
    }

    /** Starts a new sample once the current one is {@code windowMs} old, dropping the oldest. */
    private void roll(long nowMs) {
        if (sampleStartMs[current] == Long.MIN_VALUE) {
            sampleStartMs[current] = nowMs;
        } else if (nowMs - sampleStartMs[current] >= windowMs) {
            current = (current + 1) % sampleBytes.length;
            sampleStartMs[current] = nowMs;
            sampleBytes[current] = 0;
        }
    }
}
