package io.piste.broker.partition;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetches parked on one partition (Kafka's fetch purgatory watchers of a partition): each a short task the
 * partition runs, on the thread that moved its high watermark (or appended, when followers read to the log end), to
 * have the fetch check again. Bounded by the caller ({@link #tryAdd}), since every move runs them all. Thread-safe.
 */
public final class DataWaiters {

    private static final Logger LOG = LoggerFactory.getLogger(DataWaiters.class);

    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();

    /** Runs every waiter; one that fails is logged and the others still run (the data is written either way). */
    void notifyAll(Partition partition) {
        for (Runnable waiter : waiters) {
            try {
                waiter.run();
            } catch (RuntimeException e) {
                LOG.error("A data waiter of {} failed", partition, e);
            }
        }
    }

    /** Runs {@code waiter} (keep it short) each time the partition has new data to read. */
    public void add(Runnable waiter) {
        waiters.add(waiter);
    }

    /**
     * As {@link #add}, unless {@code maxWaiters} are registered already: then false and nothing is added. Bounds the
     * work of each high watermark move, which runs every waiter.
     */
    public boolean tryAdd(Runnable waiter, int maxWaiters) {
        // Adds are serialised so that two cannot both take the last place; removals only make room.
        synchronized (waiters) {
            if (waiters.size() >= maxWaiters) {
                return false;
            }
            waiters.add(waiter);
            return true;
        }
    }

    public void remove(Runnable waiter) {
        waiters.remove(waiter);
    }

    /** How many fetches wait for this partition's data now, for monitoring and tests. */
    public int count() {
        return waiters.size();
    }
}
