package io.piste.broker.partition;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acks=all produces (and the broker's own durable writes) of one partition waiting for the high watermark to pass
 * their data, in the order they were queued (Kafka's produce purgatory for one partition). Whoever moves the high
 * watermark (the flusher, a follower's fetch) answers those it passed; callbacks run in queue order, never two at
 * once, so that the offsets topic applies its commits in the order it wrote them. Thread-safe.
 */
final class AckQueue {

    private static final Logger LOG = LoggerFactory.getLogger(AckQueue.class);

    private record Waiter(long offset, Partition.AckCallback callback) {}

    private final String owner;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** While a thread calls back the waiters it passed; guarded by {@link #waiters}. */
    private boolean draining;

    /** @param owner the partition, named in the log line of a failing callback */
    AckQueue(String owner) {
        this.owner = owner;
    }

    /**
     * Queues {@code callback} unless the high watermark ({@code highWatermark}, read under the queue's lock) has passed
     * {@code endOffset} and nobody is queued before it; returns false if the caller must answer it now itself.
     */
    boolean queueUnlessPassed(long endOffset, LongSupplier highWatermark, Partition.AckCallback callback) {
        synchronized (waiters) {
            // Behind waiters still queued or being called back, so that callbacks run in the order of the calls.
            if (highWatermark.getAsLong() < endOffset || !waiters.isEmpty() || draining) {
                waiters.addLast(new Waiter(endOffset, callback));
                return true;
            }
        }
        return false;
    }

    /**
     * Answers, in order, the waiters at or below {@code visible}. A waiter's exception is logged and the others are
     * still answered: it says nothing about the disk.
     */
    void answerPassed(long visible) {
        while (true) {
            Waiter ready;
            synchronized (waiters) {
                Waiter head = waiters.peekFirst();
                if (head == null || head.offset > visible) {
                    draining = false;
                    return;
                }
                ready = waiters.pollFirst();
                draining = true;
            }
            complete(ready, Errors.NONE);
        }
    }

    /** Answers every waiter with {@code error}: the partition is offline, deleted, or no longer led here. */
    void failAll(Errors error) {
        while (true) {
            Waiter failed;
            synchronized (waiters) {
                failed = waiters.pollFirst();
            }
            if (failed == null) {
                return;
            }
            complete(failed, error);
        }
    }

    int size() {
        synchronized (waiters) {
            return waiters.size();
        }
    }

    private void complete(Waiter waiter, Errors error) {
        try {
            waiter.callback.onComplete(error);
        } catch (RuntimeException e) {
            LOG.error(
                    "An ack callback of {} failed (endOffset={} error={}); the other waiters are still answered",
                    owner,
                    waiter.offset,
                    error,
                    e);
        }
    }
}
