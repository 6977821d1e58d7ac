package io.piste.broker.partition;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Group commit: one thread fsyncs every partition appended to since its last round, then completes the
 * acknowledgements waiting on them. While a round runs, new appends gather for the next, so one fsync per
 * partition covers many produce requests from many connections.
 */
final class LogFlusher implements AutoCloseable {

    private final Object lock = new Object();
    private final Thread thread;
    private Set<Partition> dirty = new LinkedHashSet<>();
    // The previous round's set, emptied: the next swap reuses it rather than allocating one per round.
    // Only the flusher thread touches it.
    private Set<Partition> spare = new LinkedHashSet<>();
    private boolean running = true;

    LogFlusher() {
        this.thread = new Thread(this::run, "piste-log-flusher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void markDirty(Partition partition) {
        synchronized (lock) {
            if (dirty.add(partition) && dirty.size() == 1) {
                lock.notifyAll();
            }
        }
    }

    private void run() {
        while (true) {
            Set<Partition> round;
            synchronized (lock) {
                while (dirty.isEmpty() && running) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (dirty.isEmpty()) {
                    return;
                }
                round = dirty;
                dirty = spare;
            }
            flushRound(round);
            round.clear();
            spare = round;
        }
    }

    private static void flushRound(Set<Partition> round) {
        for (Partition partition : round) {
            if (partition.isOffline()) {
                partition.failPendingAcks();
                continue;
            }
            try {
                partition.log().flush();
            } catch (IOException | RuntimeException e) {
                partition.onFlushFailed(e);
                continue;
            }
            // Outside the try: an exception from an ack callback is not a failed fsync (onFlushed logs those).
            partition.onFlushed();
        }
    }

    /** Finishes the pending round, then stops. */
    @Override
    public void close() {
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
