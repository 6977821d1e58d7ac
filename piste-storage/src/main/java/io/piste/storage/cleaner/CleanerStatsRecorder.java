package io.piste.storage.cleaner;

import io.piste.storage.checkpoint.TopicPartitionKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the cleaner's threads record as they go, and the {@link CleanerStats} computed from it: each cleaner's last
 * pass, the last choice of a log, the partitions whose last pass failed. Thread-safe (cleaner threads write, any
 * thread reads a snapshot).
 */
final class CleanerStatsRecorder {
    /** One cleaner's last completed pass. */
    record LastPass(long bytesRead, long bytesWritten, long elapsedMs, double bufferUtilization) {}

    private final Map<Cleaner, LastPass> lastPasses = new ConcurrentHashMap<>();
    private final Map<TopicPartitionKey, Long> uncleanable = new ConcurrentHashMap<>();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long lastRunMs;
    private volatile double lastChosenDirtyRatio;
    private volatile long lastMaxCompactionDelayMs;

    CleanerStatsRecorder(long nowMs) {
        this.lastRunMs = nowMs;
    }

    void choice(double chosenDirtyRatio, long maxCompactionDelayMs) {
        lastChosenDirtyRatio = chosenDirtyRatio;
        lastMaxCompactionDelayMs = maxCompactionDelayMs;
    }

    void passed(Cleaner cleaner, TopicPartitionKey partition, LastPass pass) {
        lastPasses.put(cleaner, pass);
        uncleanable.remove(partition);
        passes.incrementAndGet();
    }

    void failed(TopicPartitionKey partition, long dirtyBytes) {
        uncleanable.put(partition, dirtyBytes);
        failures.incrementAndGet();
    }

    void roundEnded(long nowMs) {
        lastRunMs = nowMs;
    }

    /** The threads were replaced: their last passes no longer count. */
    void forgetPasses() {
        lastPasses.clear();
    }

    long passes() {
        return passes.get();
    }

    long failures() {
        return failures.get();
    }

    CleanerStats snapshot(long nowMs, int threads, int deadThreads) {
        double maxUtilization = 0;
        double recopySum = 0;
        long maxElapsedMs = 0;
        for (LastPass p : lastPasses.values()) {
            maxUtilization = Math.max(maxUtilization, p.bufferUtilization());
            recopySum += (double) p.bytesWritten() / Math.max(1, p.bytesRead());
            maxElapsedMs = Math.max(maxElapsedMs, p.elapsedMs());
        }
        int recopyPercent = (int) (100 * recopySum / Math.max(1, Math.max(threads, lastPasses.size())));
        long uncleanableBytes = 0;
        for (long b : uncleanable.values()) {
            uncleanableBytes += b;
        }
        return new CleanerStats(
                (int) (100 * maxUtilization),
                recopyPercent,
                maxElapsedMs / 1000,
                lastMaxCompactionDelayMs / 1000,
                deadThreads,
                (int) (100 * lastChosenDirtyRatio),
                Math.max(0, nowMs - lastRunMs),
                uncleanable.size(),
                uncleanableBytes,
                passes.get(),
                failures.get());
    }
}
