package io.piste.broker.partition;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * In page-cache mode every log with new data is flushed each {@code log.flush.interval.ms} (a topic default that a
 * dynamic config may change) or each {@code log.writeback.interval.ms}, whichever is shorter; in durable mode the
 * ack path fsyncs and nothing is scheduled here.
 *
 * <p>Why the write-back: left to itself, Linux writes dirty pages back once they are 30 s old, all of them at once.
 * Measured with {@code bench/compare}'s send-to-ack cell (5,000 records/s), appends then stalled for up to 43 ms;
 * flushing each second kept the worst at 4 to 8 ms, at no cost in produce throughput. Thread-safe.
 */
final class PageCacheFlushSchedule {

    private final ScheduledExecutorService scheduler;
    private final boolean durableAcks;
    private final long writebackMs;
    private final Runnable flushAll;

    private ScheduledFuture<?> flushTask;
    private long flushPeriodMs = -1;

    PageCacheFlushSchedule(
            ScheduledExecutorService scheduler, boolean durableAcks, long writebackMs, Runnable flushAll) {
        this.scheduler = scheduler;
        this.durableAcks = durableAcks;
        this.writebackMs = writebackMs;
        this.flushAll = flushAll;
    }

    /** Schedules the flush for {@code flushMs} ({@code log.flush.interval.ms} now), if its period changed. */
    synchronized void reschedule(long flushMs) {
        long periodMs = periodMs(flushMs, writebackMs);
        if (periodMs == flushPeriodMs) {
            return;
        }
        flushPeriodMs = periodMs;
        if (flushTask != null) {
            flushTask.cancel(false);
            flushTask = null;
        }
        if (!durableAcks && periodMs > 0) {
            flushTask = scheduler.scheduleWithFixedDelay(flushAll, periodMs, periodMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The period of the page-cache flush scheduled now, or 0 when none is. */
    synchronized long scheduledPeriodMs() {
        return flushTask == null ? 0 : flushPeriodMs;
    }

    /** The shorter of the two intervals that are set (above 0 and not Kafka's "never"), or 0 for none. */
    static long periodMs(long flushMs, long writebackMs) {
        long period = flushMs > 0 && flushMs < Long.MAX_VALUE / 2 ? flushMs : Long.MAX_VALUE;
        if (writebackMs > 0) {
            period = Math.min(period, writebackMs);
        }
        return period == Long.MAX_VALUE ? 0 : period;
    }
}
