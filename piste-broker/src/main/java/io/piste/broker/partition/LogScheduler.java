package io.piste.broker.partition;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code piste-log-scheduler} thread (checkpoints, retention, DeleteRecords, the deleter's delayed removals) and
 * its bounded stop. A stop never interrupts a task first: an interrupt during a {@code FileChannel} operation closes
 * the channel, a log segment's among them, under every reader of the log.
 */
final class LogScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(LogScheduler.class);
    /** How long a close waits for a retention pass (or another scheduled task) to end. */
    static final long STOP_WAIT_MS = 10_000;

    private LogScheduler() {}

    /** One daemon thread; at a stop, tasks waiting for their delay are dropped (the deleter's close does them). */
    static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "piste-log-scheduler");
            t.setDaemon(true);
            return t;
        });
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return scheduler;
    }

    /**
     * Lets the task in progress finish (a retention pass told to stop ends at its next log) for up to
     * {@value #STOP_WAIT_MS} ms, then interrupts it: a log it was writing then fails to close cleanly and the next
     * start recovers it.
     */
    static void stop(ScheduledExecutorService scheduler) {
        long waitMs = STOP_WAIT_MS;
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
                LOG.warn("The log scheduler's task did not end within {} ms; interrupting it", waitMs);
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
