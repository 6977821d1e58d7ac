package io.piste.broker.partition;

import io.piste.storage.log.LogAppendInfo;
import io.piste.storage.log.LogStorageException;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition led by this broker: its log, leader epoch and high watermark, the produce requests waiting for
 * their data to be durable, and the fetches waiting for new data.
 *
 * <p>With durable acks the high watermark is the flushed offset: consumers never see data that a crash could
 * take back, and acks=all completes when the high watermark (moved after each flush) passes its offset. Otherwise
 * the high watermark follows the log end at once, as on a Kafka leader whose ISR is itself. Either way, an ack
 * never comes before the high watermark has passed its batch. Thread-safe.
 */
public final class Partition {

    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    /** Told when the data it waits for is durable, or that it will not be. */
    public interface AckCallback {
        void onComplete(Errors error);
    }

    private record AckWaiter(long offset, AckCallback callback) {
    }

    private final String topic;
    private final int index;
    private final UnifiedLog log;
    private final LogFlusher flusher;
    private final boolean durableAcks;
    private final ArrayDeque<AckWaiter> ackWaiters = new ArrayDeque<>();
    /** While the flusher calls back the waiters of a round; guarded by {@link #ackWaiters}. */
    private boolean drainingAcks;
    private final Set<Runnable> dataWaiters = ConcurrentHashMap.newKeySet();
    private volatile long flushIntervalMessages;
    private final AtomicInteger segmentCount;
    private final Object highWatermarkLock = new Object();
    private volatile boolean offline;

    Partition(String topic, int index, UnifiedLog log, LogFlusher flusher, boolean durableAcks,
              long flushIntervalMessages) {
        this.topic = topic;
        this.index = index;
        this.log = log;
        this.flusher = flusher;
        this.durableAcks = durableAcks;
        this.flushIntervalMessages = flushIntervalMessages;
        this.segmentCount = new AtomicInteger(log.numberOfSegments());
    }

    public String topic() {
        return topic;
    }

    public int index() {
        return index;
    }

    public UnifiedLog log() {
        return log;
    }

    /** Single node: the leader epoch stays 0 until replication brings elections. */
    public int leaderEpoch() {
        return 0;
    }

    /**
     * Kafka's check of the leader epoch a client believes current: -1 skips it; a newer one means this broker
     * has not heard of it yet (UNKNOWN_LEADER_EPOCH), an older one that the client is behind (FENCED_LEADER_EPOCH).
     */
    public Errors checkLeaderEpoch(int currentLeaderEpoch) {
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == leaderEpoch()) {
            return Errors.NONE;
        }
        return currentLeaderEpoch > leaderEpoch() ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH;
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    void setFlushIntervalMessages(long messages) {
        this.flushIntervalMessages = messages;
    }

    /**
     * Appends as leader. The caller answers acks=all through {@link #whenDurable}. {@code records} is written to the
     * log (and rewritten in place) before this returns and not kept: it may be a slice of a network buffer released
     * right after.
     */
    public LogAppendInfo appendRecordsToLeader(ByteBuffer records) throws IOException {
        if (isOffline()) {
            throw new LogStorageException("partition " + this + " is offline after a failed fsync", null);
        }
        LogAppendInfo info = log.appendAsLeader(records, leaderEpoch());
        if (durableAcks) {
            // A duplicate's ack waits in whenDurable, which marks the partition dirty itself.
            if (!info.duplicate()) {
                flusher.markDirty(this);
            }
            return info;
        }
        // Also for a duplicate: its first copy may have been appended by another event loop that has not moved
        // the high watermark yet, and an ack must never come before the high watermark passes its batch.
        advanceHighWatermark(log.logEndOffset());
        if (info.duplicate()) {
            return info;
        }
        // Kafka's rule: a rolled segment is flushed at once, so the recovery point trails by at most
        // one segment and a restart after a crash never rescans the whole log.
        int segments = log.numberOfSegments();
        boolean rolled = segmentCount.getAndSet(segments) != segments;
        if (rolled || log.unflushedMessages() >= flushIntervalMessages) {
            flusher.markDirty(this);
        }
        return info;
    }

    /**
     * Calls back once every record below {@code endOffset} is fsynced and below the high watermark (durable
     * acks), or at once otherwise (the append has already moved the high watermark). A duplicate batch waits
     * too: its first copy may not be flushed yet. Comparing with the high watermark rather than the recovery
     * point matters: the flusher moves the recovery point first, and a producer acked in between would not find
     * its record in a ListOffsets or a fetch.
     */
    public void whenDurable(long endOffset, AckCallback callback) {
        if (isOffline()) {
            callback.onComplete(Errors.KAFKA_STORAGE_ERROR);
            return;
        }
        if (!durableAcks) {
            callback.onComplete(Errors.NONE);
            return;
        }
        synchronized (ackWaiters) {
            // Behind waiters still queued or being called back, so that callbacks run in the order of the calls
            // (the offsets topic applies commits in that order).
            if (log.highWatermark() < endOffset || !ackWaiters.isEmpty() || drainingAcks) {
                ackWaiters.addLast(new AckWaiter(endOffset, callback));
                flusher.markDirty(this);
                return;
            }
        }
        callback.onComplete(Errors.NONE);
    }

    /**
     * Called by the flusher after a successful flush: moves the high watermark to the flushed offset (durable
     * acks), then answers the waiters it passed. A waiter's exception is logged and the others are still
     * answered: it says nothing about the disk.
     */
    void onFlushed() {
        if (durableAcks) {
            advanceHighWatermark(log.recoveryPoint());
        }
        long visible = log.highWatermark();
        while (true) {
            AckWaiter ready;
            synchronized (ackWaiters) {
                AckWaiter head = ackWaiters.peekFirst();
                if (head == null || head.offset > visible) {
                    drainingAcks = false;
                    break;
                }
                ready = ackWaiters.pollFirst();
                drainingAcks = true;
            }
            complete(ready, Errors.NONE);
        }
    }

    private void complete(AckWaiter waiter, Errors error) {
        try {
            waiter.callback.onComplete(error);
        } catch (RuntimeException e) {
            LOG.error("An ack callback of {} failed (endOffset={} error={}); the other waiters are still answered",
                this, waiter.offset, error, e);
        }
    }

    /**
     * Called by the flusher when fsync failed. Linux marks the pages whose write-back failed as clean, so a
     * later fsync would succeed without the data being on disk: as Kafka takes such a log dir offline, this
     * partition refuses appends and acknowledgements until the broker restarts and recovers its log.
     */
    void onFlushFailed(Exception cause) {
        if (!offline) {
            offline = true;
            LOG.error("Partition {} is offline after a failed fsync; restart the broker to recover it", this, cause);
        }
        failPendingAcks();
    }

    /** After a failed fsync of this partition's log, seen by the flusher or by the log itself (at a roll). */
    boolean isOffline() {
        return offline || log.isOffline();
    }

    /** Waiting producers get KAFKA_STORAGE_ERROR (the partition is offline or deleted) and may retry. */
    void failPendingAcks() {
        while (true) {
            AckWaiter failed;
            synchronized (ackWaiters) {
                failed = ackWaiters.pollFirst();
            }
            if (failed == null) {
                return;
            }
            complete(failed, Errors.KAFKA_STORAGE_ERROR);
        }
    }

    /** Monotonic even when appends on several event loops race to move it. */
    private void advanceHighWatermark(long offset) {
        synchronized (highWatermarkLock) {
            if (offset <= log.highWatermark()) {
                return;
            }
            log.updateHighWatermark(offset);
        }
        for (Runnable waiter : dataWaiters) {
            try {
                waiter.run();
            } catch (RuntimeException e) {
                // Not the appender's or the flusher's failure: the data is written either way.
                LOG.error("A data waiter of {} failed", this, e);
            }
        }
    }

    /** Runs {@code waiter} (on the advancing thread; keep it short) each time the high watermark moves. */
    public void addDataWaiter(Runnable waiter) {
        dataWaiters.add(waiter);
    }

    public void removeDataWaiter(Runnable waiter) {
        dataWaiters.remove(waiter);
    }

    /** How many fetches wait for this partition's data now, for monitoring and tests. */
    public int dataWaiterCount() {
        return dataWaiters.size();
    }

    @Override
    public String toString() {
        return topic + "-" + index;
    }
}
