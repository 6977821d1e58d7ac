package io.piste.broker.network;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests a listener holds over all its connections, decoded and not yet answered, against Kafka's
 * {@code queued.max.requests}.
 *
 * <p>Kafka reads one request per connection at a time and queues them for its I/O threads; past the bound, the
 * network threads stop reading. Piste handles a request on the event loop that read it and lets a connection
 * pipeline up to {@link KafkaConnection#MAX_IN_FLIGHT}, so what builds up is unanswered requests (a parked fetch, an
 * acks=all produce waiting for the group commit, a join waiting for the group). Once this bound is reached, a
 * connection with an unanswered request reads nothing more until its answers are written: every connection falls
 * back to Kafka's one request at a time, and a connection with nothing pending still reads its next request, so a
 * member whose join the others wait for is never the one held back. Thread-safe: the event loops of all connections
 * count here.
 */
final class QueuedRequests {

    /** No bound: for a connection built alone (tests). */
    static final QueuedRequests UNBOUNDED = new QueuedRequests(Integer.MAX_VALUE);

    private final int maxRequests;
    private final AtomicInteger count = new AtomicInteger();

    QueuedRequests(int maxRequests) {
        if (maxRequests < 1) {
            throw new IllegalArgumentException("queued.max.requests must be at least 1, got " + maxRequests);
        }
        this.maxRequests = maxRequests;
    }

    void added() {
        count.incrementAndGet();
    }

    void removed(int requests) {
        count.addAndGet(-requests);
    }

    /** Whether the broker holds {@code queued.max.requests} unanswered requests or more. */
    boolean isFull() {
        return count.get() >= maxRequests;
    }

    int size() {
        return count.get();
    }
}
