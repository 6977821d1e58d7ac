package io.piste.broker.partition;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kafka's verification guards (KIP-890) of one partition, by producer id: one is taken before a transactional append
 * is verified with a coordinator on another node, and the producer's next marker here voids it, so that an append
 * verified for a transaction that has ended since is refused instead of opening a transaction nobody will end.
 * Thread-safe.
 */
public final class VerificationGuards {

    private final ConcurrentHashMap<Long, Object> guards = new ConcurrentHashMap<>();

    /** A marker's append, which may fail. */
    @FunctionalInterface
    interface MarkerAppend<T> {
        T append() throws IOException;
    }

    /** The producer's guard, shared by its verifications in flight. */
    public Object take(long producerId) {
        return guards.computeIfAbsent(producerId, id -> new Object());
    }

    /** Forgets a guard whose verification failed (no append will use it). */
    public void drop(long producerId, Object guard) {
        guards.remove(producerId, guard);
    }

    /** Runs {@code append} if {@code guard} is still the producer's (no marker came since); returns whether it ran. */
    public synchronized boolean runIfHeld(long producerId, Object guard, Runnable append) {
        if (guard == null || guards.get(producerId) != guard) {
            return false;
        }
        append.run();
        return true;
    }

    /** Appends the producer's marker, voiding its guard; never between a guard's check and its append. */
    synchronized <T> T voidFor(long producerId, MarkerAppend<T> marker) throws IOException {
        guards.remove(producerId);
        return marker.append();
    }
}
