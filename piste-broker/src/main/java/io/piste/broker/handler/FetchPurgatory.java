package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounds on parked fetches: broker-wide ({@code fetch.purgatory.max.requests}), a fetch parks only with a place
 * here and gives it back when it is answered, expires or its connection closes; per partition
 * ({@code fetch.purgatory.max.requests.per.partition}), a fetch watches a partition only while fewer than that many
 * fetches watch it, since each move of its high watermark tells every one of them. Kafka needs no broker-wide bound
 * because it reads one request per connection at a time; Piste reads up to 64, so without it a client could park
 * connections times 64 fetches. Thread-safe: places are taken on event loops and given back on them.
 */
final class FetchPurgatory {

    private static final Logger LOG = LoggerFactory.getLogger(FetchPurgatory.class);
    private static final long WARN_INTERVAL_MS = 60_000;

    private final int maxRequests;
    private final int maxRequestsPerPartition;
    private final AtomicInteger parked = new AtomicInteger();
    private final AtomicLong refusedSinceWarn = new AtomicLong();
    private final AtomicLong nextWarnMs = new AtomicLong();

    FetchPurgatory(int maxRequests, int maxRequestsPerPartition) {
        this.maxRequests = maxRequests;
        this.maxRequestsPerPartition = maxRequestsPerPartition;
    }

    /** Takes a place for a fetch to park; false if the purgatory is full (the fetch is answered at once). */
    boolean tryPark() {
        while (true) {
            int current = parked.get();
            if (current >= maxRequests) {
                long refused = refusedToWarnAbout();
                if (refused > 0) {
                    LOG.warn(
                            "Fetch purgatory full: {} fetches parked (fetch.purgatory.max.requests={}); {} fetches "
                                    + "answered at once since the last warning",
                            current,
                            maxRequests,
                            refused);
                }
                return false;
            }
            if (parked.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /**
     * Registers a parked fetch's {@code waiter} on {@code partition}; false if the partition has as many as
     * {@code fetch.purgatory.max.requests.per.partition} already (the fetch is then answered at once).
     */
    boolean tryWatch(Partition partition, Runnable waiter) {
        if (partition.dataWaiters().tryAdd(waiter, maxRequestsPerPartition)) {
            return true;
        }
        long refused = refusedToWarnAbout();
        if (refused > 0) {
            LOG.warn(
                    "Fetch purgatory full for partition {}: {} fetches parked on it "
                            + "(fetch.purgatory.max.requests.per.partition={}); {} fetches answered at once since the last "
                            + "warning",
                    partition,
                    partition.dataWaiters().count(),
                    maxRequestsPerPartition,
                    refused);
        }
        return false;
    }

    /** Gives back the place of a fetch that was answered, expired or cancelled; once per {@link #tryPark}. */
    void release() {
        parked.decrementAndGet();
    }

    int parkedCount() {
        return parked.get();
    }

    /**
     * Counts one refused fetch; returns how many were refused since the last warning if one is due now (one line
     * when a bound is reached, then at most one a minute while fetches keep being refused), else 0.
     */
    private long refusedToWarnAbout() {
        long refused = refusedSinceWarn.incrementAndGet();
        long now = System.currentTimeMillis();
        long next = nextWarnMs.get();
        if (now >= next && nextWarnMs.compareAndSet(next, now + WARN_INTERVAL_MS)) {
            refusedSinceWarn.addAndGet(-refused);
            return refused;
        }
        return 0;
    }
}
