package io.piste.storage.cleaner;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Keeps the cleaner's I/O at or below {@code log.cleaner.io.max.bytes.per.second}, over all cleaner threads, as
 * Kafka's Throttler: bytes are counted, and every {@value #CHECK_INTERVAL_MS} ms the caller sleeps as long as it
 * takes for the bytes so far to fit the rate. The rate may change at any time ({@link #setMaxBytesPerSecond}): the
 * sleeps under way end and the next ones follow the new rate, so a running pass takes it at once. A sleep also ends
 * when its caller stops running ({@link #wakeAll}). Thread-safe.
 */
public final class Throttler {
    static final long CHECK_INTERVAL_MS = 100;

    private double maxBytesPerSecond;
    private long rateChanges;
    private long periodStartNanos = System.nanoTime();
    private double bytesInPeriod;
    private long sleptMs;

    public Throttler(double maxBytesPerSecond) {
        this.maxBytesPerSecond = maxBytesPerSecond;
    }

    /** Counts {@code bytes} read or written; may sleep, until the time is up, the rate changes or not running. */
    public synchronized void maybeThrottle(long bytes, BooleanSupplier running) throws InterruptedException {
        if (maxBytesPerSecond >= Double.MAX_VALUE || maxBytesPerSecond <= 0) {
            return;
        }
        bytesInPeriod += bytes;
        long now = System.nanoTime();
        long elapsedMs = (now - periodStartNanos) / 1_000_000;
        if (elapsedMs < CHECK_INTERVAL_MS && bytesInPeriod < maxBytesPerSecond * CHECK_INTERVAL_MS / 1000) {
            return;
        }
        long sleepMs = Math.max(0, (long) (bytesInPeriod * 1000 / maxBytesPerSecond) - elapsedMs);
        periodStartNanos = now + sleepMs * 1_000_000;
        bytesInPeriod = 0;
        sleptMs += sleepMs;
        long deadline = now + sleepMs * 1_000_000;
        long changes = rateChanges;
        long left;
        while (running.getAsBoolean() && rateChanges == changes && (left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** The new {@code log.cleaner.io.max.bytes.per.second}, for the sleeps under way too. */
    public synchronized void setMaxBytesPerSecond(double bytesPerSecond) {
        maxBytesPerSecond = bytesPerSecond;
        rateChanges++;
        periodStartNanos = System.nanoTime();
        bytesInPeriod = 0;
        notifyAll();
    }

    public synchronized double maxBytesPerSecond() {
        return maxBytesPerSecond;
    }

    /** Ends the sleeps under way whose caller no longer runs (the others sleep on). */
    public synchronized void wakeAll() {
        notifyAll();
    }

    /** Total time callers were told to sleep. */
    public synchronized long sleptMs() {
        return sleptMs;
    }
}
