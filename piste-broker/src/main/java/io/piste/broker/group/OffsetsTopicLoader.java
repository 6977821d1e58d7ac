package io.piste.broker.group;

import io.piste.broker.partition.InternalTopicLoader;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;

/**
 * Replays one partition of {@code __consumer_offsets} at start-up into the offsets and groups of a load: the records
 * of {@link OffsetRecordCodec} and {@link GroupRecordCodec}, read as {@link InternalTopicLoader} reads any internal
 * topic (a record or batch that does not decode is logged and skipped). A record that does not decode (short key,
 * unknown key type or value version, a string, byte array or count longer than the bytes that follow, a null id)
 * leaves no trace: it is decoded whole before anything is applied.
 *
 * <p>The offsets of a transactional batch (TxnOffsetCommit) are pending until their producer's COMMIT or ABORT
 * marker follows: COMMIT applies them, ABORT drops them, both through {@link GroupOffsets#completeTransaction}; those
 * without a marker at the end of the log stay pending, for the transaction coordinator's recovery to complete.
 *
 * <p>Not thread-safe: one loader per partition, on the start-up thread, before the broker serves requests.
 */
final class OffsetsTopicLoader extends InternalTopicLoader {

    private final int partition;
    private final GroupOffsets offsets;
    private final OffsetsTopic.LoadedGroups groups;

    OffsetsTopicLoader(int partition, GroupOffsets offsets, OffsetsTopic.LoadedGroups groups) {
        super(OffsetsTopic.NAME + "-" + partition);
        this.partition = partition;
        this.offsets = offsets;
        this.groups = groups;
    }

    @Override
    protected void apply(ByteBuffer key, ByteBuffer value) {
        apply(key, value, OffsetLog.NO_PRODUCER_ID);
    }

    @Override
    protected void applyMarker(long producerId, boolean commit) {
        offsets.completeTransaction(partition, producerId, commit);
    }

    @Override
    protected void apply(ByteBuffer key, ByteBuffer value, long producerId) {
        if (key.remaining() < 2) {
            throw new InvalidRecordException("key of " + key.remaining() + " bytes, too short for its type");
        }
        short type = key.getShort();
        switch (type) {
            case OffsetRecordCodec.OFFSET_COMMIT_KEY_TYPE -> {
                OffsetRecordCodec.Key offsetKey = OffsetRecordCodec.readKeyAfterType(key);
                CommittedOffset offset = value == null ? null : OffsetRecordCodec.readValue(value);
                if (producerId == OffsetLog.NO_PRODUCER_ID) {
                    offsets.apply(offsetKey.groupId(), offsetKey.partition(), offset);
                } else {
                    Map<TopicPartition, CommittedOffset> record = new HashMap<>();
                    record.put(offsetKey.partition(), offset);
                    offsets.applyTransactional(offsetKey.groupId(), producerId, record);
                }
            }
            case GroupRecordCodec.GROUP_METADATA_KEY_TYPE -> {
                String groupId = GroupRecordCodec.readKeyGroup(key);
                GroupRecord group = value == null ? null : GroupRecordCodec.readValue(value);
                groups.classic().put(groupId, group);
            }
            case GroupRecordCodec.CONSUMER_GROUP_KEY_TYPE -> {
                String groupId = GroupRecordCodec.readKeyGroup(key);
                byte[] snapshot = null;
                if (value != null) {
                    // Opaque here; the consumer group coordinator decodes it, and skips the group if it cannot.
                    snapshot = new byte[value.remaining()];
                    value.get(snapshot);
                }
                groups.consumer().put(groupId, snapshot);
            }
            default -> throw new InvalidRecordException("unknown key type=" + type);
        }
    }
}
