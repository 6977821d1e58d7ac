package io.piste.broker.group;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The clock and timers of the group coordinator. Production uses {@link #system()}; unit tests drive a fake one so
 * that session and rebalance timeouts are deterministic.
 */
public interface GroupTimer extends AutoCloseable {

    /** A scheduled task that may be cancelled; cancelling a task that already ran does nothing. */
    interface Scheduled {
        void cancel();
    }

    long nowMs();

    Scheduled schedule(long delayMs, Runnable task);

    @Override
    void close();

    /** Wall-clock time and one daemon thread running every timer task. */
    static GroupTimer system() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "piste-group-timer");
            t.setDaemon(true);
            return t;
        });
        return new GroupTimer() {
            @Override
            public long nowMs() {
                return System.currentTimeMillis();
            }

            @Override
            public Scheduled schedule(long delayMs, Runnable task) {
                ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
