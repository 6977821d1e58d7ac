package io.piste.storage.cleaner;

import java.util.concurrent.TimeUnit;

/**
 * Keeps the cleaner's I/O at or below {@code log.cleaner.io.max.bytes.per.second}, over all cleaner threads, as
 * Kafka's Throttler: bytes are counted, and every {@value #CHECK_INTERVAL_MS} ms the caller sleeps as long as it
 * takes for the bytes so far to fit the rate; {@link #stop} cuts the sleeps short. Thread-safe.
 */
public final class Throttler {
    static final long CHECK_INTERVAL_MS = 100;

    private final double maxBytesPerSecond;
    private long periodStartNanos = System.nanoTime();
    private double bytesInPeriod;
    private long sleptMs;
    private final Object wakeUp = new Object();
    private boolean stopped;

    public Throttler(double maxBytesPerSecond) {
        this.maxBytesPerSecond = maxBytesPerSecond;
    }

    /** Counts {@code bytes} read or written; may sleep. */
    public void maybeThrottle(long bytes) throws InterruptedException {
        if (maxBytesPerSecond >= Double.MAX_VALUE || maxBytesPerSecond <= 0) {
            return;
        }
        long sleepMs = 0;
        synchronized (this) {
            bytesInPeriod += bytes;
            long now = System.nanoTime();
            long elapsedMs = (now - periodStartNanos) / 1_000_000;
            if (elapsedMs >= CHECK_INTERVAL_MS || bytesInPeriod >= maxBytesPerSecond * CHECK_INTERVAL_MS / 1000) {
                double neededMs = bytesInPeriod * 1000 / maxBytesPerSecond;
                sleepMs = (long) neededMs - elapsedMs;
                if (sleepMs <= 0) {
                    sleepMs = 0;
                }
                sleptMs += sleepMs;
                periodStartNanos = now + sleepMs * 1_000_000;
                bytesInPeriod = 0;
            }
        }
        if (sleepMs > 0) {
            sleep(sleepMs);
        }
    }

    /** Sleeps {@code ms}, or less if {@link #stop} is called meanwhile. */
    private void sleep(long ms) throws InterruptedException {
        long deadline = System.nanoTime() + ms * 1_000_000;
        synchronized (wakeUp) {
            long left;
            while (!stopped && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(wakeUp, left);
            }
        }
    }

    /** Ends every sleep now and every later one at once: the cleaner is closing and its passes stop. */
    public void stop() {
        synchronized (wakeUp) {
            stopped = true;
            wakeUp.notifyAll();
        }
    }

    /** Total time callers were told to sleep. */
    public synchronized long sleptMs() {
        return sleptMs;
    }
}
