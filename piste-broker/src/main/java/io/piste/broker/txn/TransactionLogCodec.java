package io.piste.broker.txn;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.internals.ByteUtils;

/**
 * The key and value of a {@code __transaction_state} record in Kafka's own format (its TransactionLogKey and
 * TransactionLogValue messages, each prefixed with its int16 version), so that the topic's bytes are Kafka's. A null
 * value removes the transactional id (a tombstone, for compaction). Writes value v1; reads v0 and v1. Integers
 * big-endian; Kafka's varints (unsigned LEB128) in v1.
 *
 * <pre>
 * key v0:   int16 version (0) | int16 length | transactionalId (UTF-8)
 * value v0: int16 version (0) | int64 producerId | int16 producerEpoch | int32 timeoutMs | int8 state
 *           | int32 topicCount (-1: null) | topicCount x (int16 length | topic | int32 count | count x int32 partition)
 *           | int64 lastUpdateMs | int64 startMs
 * value v1: int16 version (1) | int64 producerId | int16 producerEpoch | int32 timeoutMs | int8 state
 *           | varint topicCount+1 (0: null) | topicCount x (varint length+1 | topic | varint count+1
 *             | count x int32 partition | varint 0 (no tagged fields))
 *           | int64 lastUpdateMs | int64 startMs
 *           | varint taggedCount | taggedCount x (varint tag | varint size | size bytes), by tag, each only if not
 *             its default: 0 previousProducerId int64 (-1) | 1 nextProducerId int64 (-1)
 *             | 2 clientTransactionVersion int16 (0)
 * </pre>
 *
 * The partitions of an Empty id are written null and ignored when read, as Kafka does. The readers trust no length or
 * count: each is checked against the bytes that follow before anything is allocated, and bytes that do not decode
 * (short, a bad length, an unknown version or state, a tagged field of the wrong size) throw
 * {@link InvalidRecordException}. Stateless; any thread.
 */
final class TransactionLogCodec {

    static final short KEY_VERSION = 0;
    static final short VALUE_VERSION = 1;

    private static final int TAG_PREVIOUS_PRODUCER_ID = 0;
    private static final int TAG_NEXT_PRODUCER_ID = 1;
    private static final int TAG_CLIENT_TRANSACTION_VERSION = 2;
    /** A topic entry of v1 at its smallest: an empty topic name, no partitions, no tagged fields. */
    private static final int V1_TOPIC_MIN_BYTES = 3;
    /** A topic entry of v0 at its smallest: an empty topic name and no partitions. */
    private static final int V0_TOPIC_MIN_BYTES = 2 + 4;
    /** A tagged field at its smallest: its tag and its size, one byte each. */
    private static final int TAGGED_FIELD_MIN_BYTES = 2;

    private static final int MAX_STRING_BYTES = Short.MAX_VALUE;

    private TransactionLogCodec() {}

    /** Throws IllegalArgumentException for an id longer than 32767 bytes of UTF-8, which an int16 cannot hold. */
    static byte[] key(String transactionalId) {
        byte[] id = utf8(transactionalId);
        ByteBuffer buf = ByteBuffer.allocate(2 + 2 + id.length);
        buf.putShort(KEY_VERSION);
        buf.putShort((short) id.length);
        buf.put(id);
        return buf.array();
    }

    /** The transactional id of a key; throws {@link InvalidRecordException} if it does not decode. */
    static String readKey(ByteBuffer buf) {
        try {
            short version = buf.getShort();
            if (version != KEY_VERSION) {
                throw new InvalidRecordException("unknown key version=" + version);
            }
            short length = buf.getShort();
            return string(buf, length, "transactional id");
        } catch (BufferUnderflowException e) {
            throw new InvalidRecordException("key ends early");
        }
    }

    /**
     * Value v1 of {@code entry}. Throws IllegalArgumentException for a topic longer than 32767 bytes of UTF-8, and
     * IllegalStateException for an Empty id with partitions (Kafka refuses to write that too).
     */
    static byte[] value(TransactionLogEntry entry) {
        if (entry.state() == TransactionState.EMPTY && !entry.partitions().isEmpty()) {
            throw new IllegalStateException("an Empty transactional id has no partitions: " + entry.transactionalId()
                    + " " + entry.partitions());
        }
        Map<String, SortedSet<Integer>> topics = entry.state() == TransactionState.EMPTY ? null : byTopic(entry);
        List<byte[]> names = new ArrayList<>();
        int partitionsSize = ByteUtils.sizeOfUnsignedVarint(topics == null ? 0 : topics.size() + 1);
        if (topics != null) {
            for (Map.Entry<String, SortedSet<Integer>> topic : topics.entrySet()) {
                byte[] name = utf8(topic.getKey());
                names.add(name);
                int count = topic.getValue().size();
                partitionsSize += ByteUtils.sizeOfUnsignedVarint(name.length + 1)
                        + name.length
                        + ByteUtils.sizeOfUnsignedVarint(count + 1)
                        + 4 * count
                        + 1;
            }
        }
        int tagged = (entry.previousProducerId() != -1 ? 1 : 0)
                + (entry.nextProducerId() != -1 ? 1 : 0)
                + (entry.clientTransactionVersion() != 0 ? 1 : 0);
        int taggedSize = ByteUtils.sizeOfUnsignedVarint(tagged)
                + (entry.previousProducerId() != -1 ? 2 + 8 : 0)
                + (entry.nextProducerId() != -1 ? 2 + 8 : 0)
                + (entry.clientTransactionVersion() != 0 ? 2 + 2 : 0);
        ByteBuffer buf = ByteBuffer.allocate(2 + 8 + 2 + 4 + 1 + partitionsSize + 8 + 8 + taggedSize);
        buf.putShort(VALUE_VERSION);
        buf.putLong(entry.producerId());
        buf.putShort(entry.producerEpoch());
        buf.putInt(entry.timeoutMs());
        buf.put(entry.state().id());
        putPartitions(buf, topics, names);
        buf.putLong(entry.lastUpdateMs());
        buf.putLong(entry.startMs());
        ByteUtils.writeUnsignedVarint(tagged, buf);
        if (entry.previousProducerId() != -1) {
            putTag(buf, TAG_PREVIOUS_PRODUCER_ID, 8).putLong(entry.previousProducerId());
        }
        if (entry.nextProducerId() != -1) {
            putTag(buf, TAG_NEXT_PRODUCER_ID, 8).putLong(entry.nextProducerId());
        }
        if (entry.clientTransactionVersion() != 0) {
            putTag(buf, TAG_CLIENT_TRANSACTION_VERSION, 2).putShort(entry.clientTransactionVersion());
        }
        return buf.array();
    }

    /** Topics and partitions sorted, so that an entry always encodes to the same bytes. */
    private static Map<String, SortedSet<Integer>> byTopic(TransactionLogEntry entry) {
        Map<String, SortedSet<Integer>> topics = new TreeMap<>();
        for (TopicPartition tp : entry.partitions()) {
            topics.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition());
        }
        return topics;
    }

    private static void putPartitions(ByteBuffer buf, Map<String, SortedSet<Integer>> topics, List<byte[]> names) {
        if (topics == null) {
            ByteUtils.writeUnsignedVarint(0, buf);
            return;
        }
        ByteUtils.writeUnsignedVarint(topics.size() + 1, buf);
        int i = 0;
        for (SortedSet<Integer> partitions : topics.values()) {
            byte[] name = names.get(i++);
            ByteUtils.writeUnsignedVarint(name.length + 1, buf);
            buf.put(name);
            ByteUtils.writeUnsignedVarint(partitions.size() + 1, buf);
            for (int partition : partitions) {
                buf.putInt(partition);
            }
            ByteUtils.writeUnsignedVarint(0, buf);
        }
    }

    private static ByteBuffer putTag(ByteBuffer buf, int tag, int size) {
        ByteUtils.writeUnsignedVarint(tag, buf);
        ByteUtils.writeUnsignedVarint(size, buf);
        return buf;
    }

    /**
     * The entry a value v0 or v1 holds for {@code transactionalId}; throws {@link InvalidRecordException} if it does
     * not decode. Bytes after the value are ignored, as Kafka's reader ignores them.
     */
    static TransactionLogEntry readValue(String transactionalId, ByteBuffer buf) {
        try {
            short version = buf.getShort();
            if (version != 0 && version != 1) {
                throw new InvalidRecordException("unknown value version=" + version);
            }
            boolean flexible = version == 1;
            long producerId = buf.getLong();
            short epoch = buf.getShort();
            int timeoutMs = buf.getInt();
            byte stateId = buf.get();
            TransactionState state = TransactionState.fromId(stateId);
            if (state == null) {
                throw new InvalidRecordException("unknown transaction state id=" + stateId);
            }
            Set<TopicPartition> partitions = flexible ? readPartitionsV1(buf) : readPartitionsV0(buf);
            long lastUpdateMs = buf.getLong();
            long startMs = buf.getLong();
            long[] tags = {-1, -1, 0};
            if (flexible) {
                readTaggedFields(buf, tags);
            }
            return new TransactionLogEntry(
                    transactionalId,
                    producerId,
                    tags[TAG_PREVIOUS_PRODUCER_ID],
                    tags[TAG_NEXT_PRODUCER_ID],
                    epoch,
                    timeoutMs,
                    state,
                    state == TransactionState.EMPTY ? Set.of() : partitions,
                    lastUpdateMs,
                    startMs,
                    (short) tags[TAG_CLIENT_TRANSACTION_VERSION]);
        } catch (BufferUnderflowException e) {
            throw new InvalidRecordException("value ends early");
        } catch (IllegalArgumentException e) {
            // a varint longer than five bytes
            throw new InvalidRecordException("value has a bad varint: " + e.getMessage());
        }
    }

    private static Set<TopicPartition> readPartitionsV0(ByteBuffer buf) {
        int topics = buf.getInt();
        if (topics == -1) {
            return Set.of();
        }
        checkCount(topics, V0_TOPIC_MIN_BYTES, buf, "topics");
        Set<TopicPartition> partitions = new HashSet<>();
        for (int t = 0; t < topics; t++) {
            String topic = string(buf, buf.getShort(), "topic");
            int count = buf.getInt();
            checkCount(count, 4, buf, "partitions of topic " + topic);
            readPartitionIds(buf, topic, count, partitions);
        }
        return partitions;
    }

    private static Set<TopicPartition> readPartitionsV1(ByteBuffer buf) {
        int topics = ByteUtils.readUnsignedVarint(buf) - 1;
        if (topics == -1) {
            return Set.of();
        }
        checkCount(topics, V1_TOPIC_MIN_BYTES, buf, "topics");
        Set<TopicPartition> partitions = new HashSet<>();
        for (int t = 0; t < topics; t++) {
            String topic = string(buf, ByteUtils.readUnsignedVarint(buf) - 1, "topic");
            int count = ByteUtils.readUnsignedVarint(buf) - 1;
            checkCount(count, 4, buf, "partitions of topic " + topic);
            readPartitionIds(buf, topic, count, partitions);
            readTaggedFields(buf, null);
        }
        return partitions;
    }

    private static void readPartitionIds(ByteBuffer buf, String topic, int count, Set<TopicPartition> into) {
        for (int p = 0; p < count; p++) {
            int partition = buf.getInt();
            if (partition < 0) {
                throw new InvalidRecordException("negative partition=" + partition + " of topic " + topic);
            }
            into.add(new TopicPartition(topic, partition));
        }
    }

    /**
     * Reads a struct's tagged fields: those of the value into {@code tags} (indexed by tag), when given; skips any
     * other (Kafka defines none in the partitions of a value).
     */
    private static void readTaggedFields(ByteBuffer buf, long[] tags) {
        int count = ByteUtils.readUnsignedVarint(buf);
        checkCount(count, TAGGED_FIELD_MIN_BYTES, buf, "tagged fields");
        for (int i = 0; i < count; i++) {
            int tag = ByteUtils.readUnsignedVarint(buf);
            int size = ByteUtils.readUnsignedVarint(buf);
            checkCount(size, 1, buf, "bytes of tagged field " + tag);
            if (tags != null && (tag == TAG_PREVIOUS_PRODUCER_ID || tag == TAG_NEXT_PRODUCER_ID)) {
                tags[tag] = sized(buf, tag, size, 8).getLong();
            } else if (tags != null && tag == TAG_CLIENT_TRANSACTION_VERSION) {
                tags[tag] = sized(buf, tag, size, 2).getShort();
            } else {
                buf.position(buf.position() + size);
            }
        }
    }

    private static ByteBuffer sized(ByteBuffer buf, int tag, int size, int expected) {
        if (size != expected) {
            throw new InvalidRecordException("tagged field " + tag + " of " + size + " bytes, not " + expected);
        }
        return buf;
    }

    /** Throws unless {@code count} items of at least {@code minBytes} each can follow in {@code buf}. */
    private static void checkCount(int count, int minBytes, ByteBuffer buf, String what) {
        if (count < 0 || (long) count * minBytes > buf.remaining()) {
            throw new InvalidRecordException(
                    "count of " + what + "=" + count + " with " + buf.remaining() + " bytes left");
        }
    }

    /** A non-null string of {@code length} bytes; throws for a negative length or one beyond the bytes left. */
    private static String string(ByteBuffer buf, int length, String what) {
        if (length < 0 || length > buf.remaining()) {
            throw new InvalidRecordException(
                    what + " of length=" + length + " with " + buf.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes, more than an int16 length");
        }
        return bytes;
    }
}
