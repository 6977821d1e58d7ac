package io.piste.storage.cleaner;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The retention decisions of one cleaned group, as Kafka's cleaner makes them. A record stays if it is past the
 * last mapped offset (the map did not reach it), or if it has a key and no later record of the key was mapped, and,
 * for a tombstone, while its batch's delete horizon has not passed. A record without a key goes (Kafka counts it as
 * invalid). A batch header stays, emptied, for the last batch of an active idempotent producer, a control batch,
 * and the last batch of the group.
 *
 * <p>Control batches keep all their records: Piste has no transactions yet. TODO(issue "Transactions"): drop aborted
 * data and the markers of finished transactions after their delete horizon, as Kafka's CleanedTransactionMetadata.
 */
final class CleaningRules implements CleanerCodec.Rules {
    private final KeyOffsetMap map;
    private final long lastMappedOffset;
    private final Map<Long, Long> lastOffsetOfProducer;
    private final long groupEndOffset;
    private final long nowMs;
    private final long deleteRetentionMs;

    CleaningRules(
            KeyOffsetMap map,
            long lastMappedOffset,
            Map<Long, Long> lastOffsetOfProducer,
            long groupEndOffset,
            long nowMs,
            long deleteRetentionMs) {
        this.map = map;
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
    public boolean retainEmpty(long producerId, long lastOffset, boolean control) {
        if (control || lastOffset + 1 == groupEndOffset) {
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
