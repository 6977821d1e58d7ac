package io.piste.broker.partition;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recoveries of logs after an unclean stop, run off the network threads on {@code num.recovery.threads.per.data.dir}
 * threads per log dir. A recovery validates a log's tail from its checkpointed recovery point, which can be a CRC scan
 * of a whole segment (a gigabyte): run on an event loop by the first request for the partition, it would hold up
 * every connection of that loop meanwhile.
 *
 * <p>Two queues in one: {@link #later} (every log of an unclean log dir, queued at start-up) runs in turn, and
 * {@link #soon} (a log a client asks for now) runs before anything queued later. A recovery checks under its slot's
 * lock whether there is still anything to do ({@link PartitionSlot#recover}), so a log queued twice is recovered
 * once. Thread-safe.
 */
final class LogRecoveries implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogRecoveries.class);
    private static final long CLOSE_WAIT_MS = 60_000;
    /** A recovery this long gets a log line: it is what a client of the partition waited for. */
    private static final long SLOW_RECOVERY_MS = 1_000;
    /** Ends the thread that takes it. */
    private static final Runnable STOP = () -> {};

    private final LinkedBlockingDeque<Runnable> queue = new LinkedBlockingDeque<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Path, Boolean> hadCleanShutdown;
    /** Recoveries queued with {@link #later} and not finished (readiness: 0 once the start-up's are done). */
    private final AtomicInteger pendingLater = new AtomicInteger();

    private volatile boolean closed;

    /** @param hadCleanShutdown for each log dir, whether it had a clean-shutdown marker at start-up */
    LogRecoveries(int threadCount, Map<Path, Boolean> hadCleanShutdown) {
        this.hadCleanShutdown = Map.copyOf(hadCleanShutdown);
        for (int i = 1; i <= threadCount; i++) {
            Thread t = new Thread(this::run, "piste-log-recovery-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** True if the log of {@code slot} has files to recover before it may be served (an unclean stop). */
    boolean needed(PartitionSlot slot) {
        Path dir = slot.logDir();
        return dir != null && !hadCleanShutdown.getOrDefault(dir, false) && !slot.recovered() && !slot.failed();
    }

    /**
     * After an unclean stop, queues the recovery of every log not open yet of the log dirs without a clean-shutdown
     * marker (each closed again once recovered): the first request for a partition then finds its log ready to open
     * at once, rather than waiting for its scan, and the next clean stop can write the marker again. Returns how many.
     */
    int queueAll(Consumer<Consumer<PartitionSlot>> forEachSlot, PartitionSlot.Opener opener) {
        int[] queued = {0};
        forEachSlot.accept(slot -> {
            if (slot.opened() == null && needed(slot)) {
                later(slot, opener);
                queued[0]++;
            }
        });
        return queued[0];
    }

    /** Recovers the log of {@code slot} and closes it again, after the recoveries queued before. */
    void later(PartitionSlot slot, PartitionSlot.Opener opener) {
        if (!closed) {
            pendingLater.incrementAndGet();
            queue.offerLast(() -> {
                try {
                    recover(slot, opener, false);
                } finally {
                    pendingLater.decrementAndGet();
                }
            });
        }
    }

    /** Recovers the log of {@code slot} for a request, and leaves it open, before any recovery queued with later. */
    void soon(PartitionSlot slot, PartitionSlot.Opener opener) {
        if (!closed && slot.requestRecovery()) {
            queue.offerFirst(() -> recover(slot, opener, true));
        }
    }

    private static void recover(PartitionSlot slot, PartitionSlot.Opener opener, boolean keepOpen) {
        long started = System.nanoTime();
        try {
            slot.recover(opener, keepOpen);
        } catch (IOException | RuntimeException e) {
            log.error("Could not recover the log of {}; it is unavailable until a restart", slot, e);
            return;
        }
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        if (tookMs >= SLOW_RECOVERY_MS) {
            log.info("Recovered the log of {} in {} ms", slot, tookMs);
        }
    }

    /**
     * Background recoveries queued after an unclean stop that have not finished yet, failed ones counting as finished
     * (their partitions stay unavailable until a restart): the broker is ready when this is 0.
     */
    int pending() {
        return pendingLater.get();
    }

    /** Tasks not started yet (for tests and monitoring). */
    int queued() {
        return queue.size();
    }

    private void run() {
        while (true) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (task == STOP) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                // A task reports its own failure; this keeps the thread for the next one.
                log.error("A log recovery failed", e);
            }
        }
    }

    /**
     * Drops what has not started and waits for the recoveries running now (each bounded by one log's scan), without
     * interrupting them: an interrupt would close their files half-way.
     */
    @Override
    public void close() {
        closed = true;
        queue.clear();
        threads.forEach(t -> queue.offerFirst(STOP));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
