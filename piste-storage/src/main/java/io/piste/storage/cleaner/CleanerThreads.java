package io.piste.storage.cleaner;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation of cleaner threads, started together and stopped together: at a close, or when new
 * {@code log.cleaner.*} configs need new threads or buffers (as Kafka's LogCleaner.reconfigure restarts its threads).
 * A stop never interrupts a thread (an interrupt during a read would close the segment's channel under the log's
 * readers): it clears {@link #running}, which a pass checks between reads, and waits a bounded time. Thread-safe.
 */
final class CleanerThreads {
    private static final Logger LOG = LoggerFactory.getLogger(CleanerThreads.class);

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /** Starts {@code count} daemon threads running {@code body}, which returns once {@link #running} is false. */
    static CleanerThreads start(int count, Consumer<CleanerThreads> body) {
        CleanerThreads generation = new CleanerThreads();
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(() -> body.accept(generation), "piste-log-cleaner-" + i);
            t.setDaemon(true);
            generation.threads.add(t);
        }
        generation.threads.forEach(Thread::start);
        return generation;
    }

    boolean running() {
        return running;
    }

    int size() {
        return threads.size();
    }

    int aliveCount() {
        int alive = 0;
        for (Thread t : threads) {
            if (t.isAlive()) {
                alive++;
            }
        }
        return alive;
    }

    /** Clears {@link #running}, runs {@code wake} (ends the sleeps), waits up to {@code waitMs} for every thread. */
    void stop(Runnable wake, long waitMs) {
        running = false;
        wake.run();
        long deadline = System.nanoTime() + waitMs * 1_000_000;
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.warn("Cleaner thread {} did not stop within {} ms", t.getName(), waitMs);
            }
        }
    }

    /** How many threads are not alive (a thread ended by an error it did not catch). */
    int deadCount() {
        int dead = 0;
        for (Thread t : threads) {
            if (!t.isAlive() && running) {
                dead++;
            }
        }
        return dead;
    }
}
