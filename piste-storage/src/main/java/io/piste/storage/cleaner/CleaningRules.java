package io.piste.storage.cleaner;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The retention decisions of one cleaned group, as Kafka's cleaner makes them. A record stays if it is past the
 * last mapped offset (the map did not reach it), or if it has a key and no later record of the key was mapped, and,
 * for a tombstone, while its batch's delete horizon has not passed. A record without a key goes (Kafka counts it as
 * invalid). Transactions ({@link CleanedTransactions}): a batch of an aborted transaction goes whole, a marker once no
 * data of its transaction is left and its delete horizon has passed. A batch header stays, emptied, for the last
 * batch of an active idempotent producer and the last batch of the group (the segment's next offset).
 */
final class CleaningRules implements CleanerCodec.Rules {
    private final KeyOffsetMap map;
    private final long lastMappedOffset;
    private final Map<Long, Long> lastOffsetOfProducer;
    private final long groupEndOffset;
    private final long nowMs;
    private final long deleteRetentionMs;
    private final CleanedTransactions transactions;

    CleaningRules(
            KeyOffsetMap map,
            CleanedTransactions transactions,
            long lastMappedOffset,
            Map<Long, Long> lastOffsetOfProducer,
            long groupEndOffset,
            long nowMs,
            long deleteRetentionMs) {
        this.map = map;
        this.transactions = transactions;
        this.lastMappedOffset = lastMappedOffset;
        this.lastOffsetOfProducer = lastOffsetOfProducer;
        this.groupEndOffset = groupEndOffset;
        this.nowMs = nowMs;
        this.deleteRetentionMs = deleteRetentionMs;
    }

    @Override
    public long nowMs() {
        return nowMs;
    }

    @Override
    public long deleteRetentionMs() {
        return deleteRetentionMs;
    }

    @Override
    public CleanerCodec.BatchFate checkBatch(
            long producerId, long lastOffset, boolean transactional, CleanerCodec.BatchKind kind) {
        boolean discard = transactions.onBatch(producerId, lastOffset, transactional, kind);
        return CleanerCodec.BatchFate.of(discard, retainEmpty(producerId, lastOffset));
    }

    private boolean retainEmpty(long producerId, long lastOffset) {
        if (lastOffset + 1 == groupEndOffset) {
            return true;
        }
        if (producerId < 0) {
            return false;
        }
        Long last = lastOffsetOfProducer.get(producerId);
        return last != null && last == lastOffset;
    }

    @Override
    public boolean keepRecord(ByteBuffer key, long offset, boolean hasValue, boolean deleteHorizonPassed) {
        if (offset > lastMappedOffset) {
            return true;
        }
        if (key == null) {
            return false;
        }
        return offset >= map.get(key) && (hasValue || !deleteHorizonPassed);
    }
}
