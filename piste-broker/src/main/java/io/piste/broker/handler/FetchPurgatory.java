package io.piste.broker.handler;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker-wide bound on parked fetches ({@code fetch.purgatory.max.requests}): a fetch parks only with a place
 * here and gives it back when it is answered, expires or its connection closes. Kafka needs no such bound because it
 * reads one request per connection at a time; Piste reads up to 64, so without it a client could park connections
 * times 64 fetches. Thread-safe: places are taken on event loops and given back on them.
 */
final class FetchPurgatory {

    private static final Logger LOG = LoggerFactory.getLogger(FetchPurgatory.class);
    private static final long WARN_INTERVAL_MS = 60_000;

    private final int maxRequests;
    private final AtomicInteger parked = new AtomicInteger();
    private final AtomicLong refusedSinceWarn = new AtomicLong();
    private final AtomicLong nextWarnMs = new AtomicLong();

    FetchPurgatory(int maxRequests) {
        this.maxRequests = maxRequests;
    }

    /** Takes a place for a fetch to park; false if the purgatory is full (the fetch is answered at once). */
    boolean tryPark() {
        while (true) {
            int current = parked.get();
            if (current >= maxRequests) {
                warnFull();
                return false;
            }
            if (parked.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Gives back the place of a fetch that was answered, expired or cancelled; once per {@link #tryPark}. */
    void release() {
        parked.decrementAndGet();
    }

    int parkedCount() {
        return parked.get();
    }

    /** One line when the purgatory fills, then at most one a minute while it stays full. */
    private void warnFull() {
        long refused = refusedSinceWarn.incrementAndGet();
        long now = System.currentTimeMillis();
        long next = nextWarnMs.get();
        if (now >= next && nextWarnMs.compareAndSet(next, now + WARN_INTERVAL_MS)) {
            refusedSinceWarn.addAndGet(-refused);
            LOG.warn("Fetch purgatory full: {} fetches parked (fetch.purgatory.max.requests={}); {} fetches "
                + "answered at once since the last warning", parked.get(), maxRequests, refused);
        }
    }
}
