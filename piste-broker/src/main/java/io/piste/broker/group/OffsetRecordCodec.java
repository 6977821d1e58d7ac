package io.piste.broker.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;

/**
 * The key and value of an offset-commit record in {@code __consumer_offsets}; the layout is drawn in
 * {@code docs/design/consumer-offsets.md}. All integers big-endian, strings as an int16 length and UTF-8 bytes
 * (length -1 for null). A record with a null value deletes the offset (a tombstone, for compaction). The readers
 * trust no length they read: see {@link OffsetsTopicLoader}.
 *
 * <pre>
 * key:   int16 keyType (1 = offset commit) | string group | string topic | int32 partition
 * value: int16 version (1) | int64 offset | int32 leaderEpoch | int64 commitTimestampMs | string metadata
 * </pre>
 */
final class OffsetRecordCodec {

    static final short OFFSET_COMMIT_KEY_TYPE = 1;
    static final short VALUE_VERSION = 1;

    /** A decoded key: which group and partition the record is about. */
    record Key(String groupId, TopicPartition partition) {}

    private OffsetRecordCodec() {}

    static byte[] key(String groupId, TopicPartition tp) {
        byte[] group = groupId.getBytes(StandardCharsets.UTF_8);
        byte[] topic = tp.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 + 2 + group.length + 2 + topic.length + 4);
        buf.putShort(OFFSET_COMMIT_KEY_TYPE);
        putString(buf, group);
        putString(buf, topic);
        buf.putInt(tp.partition());
        return buf.array();
    }

    static byte[] value(CommittedOffset offset) {
        byte[] metadata = offset.metadata() == null ? null : offset.metadata().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 + 8 + 4 + 8 + 2 + (metadata == null ? 0 : metadata.length));
        buf.putShort(VALUE_VERSION);
        buf.putLong(offset.offset());
        buf.putInt(offset.leaderEpoch());
        buf.putLong(offset.commitTimestampMs());
        putString(buf, metadata);
        return buf.array();
    }

    /** Null for a key of a type this version does not know. */
    static Key readKey(ByteBuffer buf) {
        short type = buf.getShort();
        return type == OFFSET_COMMIT_KEY_TYPE ? readKeyAfterType(buf) : null;
    }

    /** The rest of an offset-commit key; throws {@link InvalidRecordException} if it does not decode. */
    static Key readKeyAfterType(ByteBuffer buf) {
        String group = getRequiredString(buf, "group");
        String topic = getRequiredString(buf, "topic");
        int partition = buf.getInt();
        if (partition < 0) {
            throw new InvalidRecordException("negative partition=" + partition + " of topic " + topic);
        }
        return new Key(group, new TopicPartition(topic, partition));
    }

    static CommittedOffset readValue(ByteBuffer buf) {
        short version = buf.getShort();
        if (version != VALUE_VERSION) {
            throw new InvalidRecordException("unknown offset-commit value version=" + version);
        }
        long offset = buf.getLong();
        int epoch = buf.getInt();
        long timestamp = buf.getLong();
        return new CommittedOffset(offset, epoch, getString(buf), timestamp);
    }

    /** Throws IllegalArgumentException for more than 32767 bytes, which the int16 length would wrap. */
    static void putString(ByteBuffer buf, byte[] bytes) {
        if (bytes == null) {
            buf.putShort((short) -1);
            return;
        }
        if (bytes.length > StoredStrings.MAX_BYTES) {
            // A string read as at most 32767 bytes may re-encode longer (each malformed byte becomes U+FFFD).
            throw new IllegalArgumentException("string of " + bytes.length + " bytes, more than an int16 length");
        }
        buf.putShort((short) bytes.length);
        buf.put(bytes);
    }

    /**
     * A string as {@link #putString} writes it, null for length -1; throws {@link InvalidRecordException} for any
     * other negative length or a length beyond the bytes that follow, before allocating anything.
     */
    static String getString(ByteBuffer buf) {
        short length = buf.getShort();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > buf.remaining()) {
            throw new InvalidRecordException("string length=" + length + " with " + buf.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A string that must not be null, such as an id. */
    static String getRequiredString(ByteBuffer buf, String field) {
        String value = getString(buf);
        if (value == null) {
            throw new InvalidRecordException("null " + field);
        }
        return value;
    }
}
