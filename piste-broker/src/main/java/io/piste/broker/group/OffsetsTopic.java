package io.piste.broker.group;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.log.LogAppendInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets in the compacted internal topic {@code __consumer_offsets}: a group's records go to partition
 * {@code abs(groupId.hashCode()) % partitions}, as in Kafka, one v2 batch per commit (record format in
 * {@link OffsetRecordCodec}). The topic is created at the first commit, with {@code offsets.topic.num.partitions}
 * partitions ({@code offsets.topic.replication.factor} replicas in a cluster); {@link #load} replays it at start-up
 * (a single node) or a partition at a time as this node comes to lead them (a cluster). Thread-safe.
 */
public final class OffsetsTopic implements OffsetLog, GroupMetadataLog, ConsumerGroupLog {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopic.class);
    public static final String NAME = Topic.GROUP_METADATA_TOPIC_NAME;
    static final int LOAD_READ_BYTES = 1024 * 1024;
    static final Map<String, String> TOPIC_CONFIGS =
            Map.of("cleanup.policy", "compact", "segment.bytes", String.valueOf(100 * 1024 * 1024));

    private final Controller controller;
    private final LogManager replicas;
    private final int partitionsToCreate;
    private final LongSupplier clockMs;
    private final short replicationFactor;

    /** A single node's: the topic has one replica. */
    public OffsetsTopic(Controller controller, LogManager replicas, int partitionsToCreate, LongSupplier clockMs) {
        this(controller, replicas, partitionsToCreate, clockMs, (short) 1);
    }

    /**
     * @param clockMs wall-clock milliseconds, for the batches' timestamps
     * @param replicationFactor {@code offsets.topic.replication.factor} in a cluster (1 on a single node): the topic
     *     is not created while fewer brokers serve (Kafka's INVALID_REPLICATION_FACTOR; FindCoordinator answers
     *     COORDINATOR_NOT_AVAILABLE meanwhile)
     */
    public OffsetsTopic(
            Controller controller,
            LogManager replicas,
            int partitionsToCreate,
            LongSupplier clockMs,
            short replicationFactor) {
        this.controller = controller;
        this.replicas = replicas;
        this.partitionsToCreate = partitionsToCreate;
        this.clockMs = clockMs;
        this.replicationFactor = replicationFactor;
    }

    /**
     * A transactional batch (TxnOffsetCommit) has the producer id and epoch, the transactional flag and base sequence
     * 0, as Kafka writes it; it is appended as the coordinator's ({@link Partition#appendRecordsAsCoordinator}), so
     * the storage checks its epoch but not its sequence, and the next batch of the producer may start at 0 again.
     */
    @Override
    public void append(
            String groupId,
            long producerId,
            short producerEpoch,
            Map<TopicPartition, CommittedOffset> offsets,
            Consumer<Errors> done) {
        MemoryRecordsBuilder builder = producerId == NO_PRODUCER_ID
                ? builder(offsets.size() * 128)
                : MemoryRecords.builder(
                        ByteBuffer.allocate(128 + offsets.size() * 128),
                        RecordBatch.CURRENT_MAGIC_VALUE,
                        Compression.NONE,
                        TimestampType.CREATE_TIME,
                        0L,
                        RecordBatch.NO_TIMESTAMP,
                        producerId,
                        producerEpoch,
                        0,
                        true,
                        RecordBatch.NO_PARTITION_LEADER_EPOCH);
        long now = clockMs.getAsLong();
        if (encode(
                groupId,
                "offsets",
                done,
                () -> offsets.forEach((tp, offset) -> builder.append(
                        now,
                        OffsetRecordCodec.key(groupId, tp),
                        offset == null ? null : OffsetRecordCodec.value(offset))))) {
            appendBatch(groupId, builder, "offsets", done);
        }
    }

    @Override
    public void writeGroup(String groupId, GroupRecord group, Consumer<Errors> done) {
        MemoryRecordsBuilder builder = builder(256);
        if (encode(
                groupId,
                "membership",
                done,
                () -> builder.append(
                        clockMs.getAsLong(),
                        GroupRecordCodec.key(groupId),
                        group == null ? null : GroupRecordCodec.value(group)))) {
            appendBatch(groupId, builder, "membership", done);
        }
    }

    @Override
    public void writeConsumerGroup(String groupId, byte[] snapshot, Consumer<Errors> done) {
        MemoryRecordsBuilder builder = builder(snapshot == null ? 64 : snapshot.length);
        if (encode(
                groupId,
                "consumer group state",
                done,
                () -> builder.append(clockMs.getAsLong(), GroupRecordCodec.consumerGroupKey(groupId), snapshot))) {
            appendBatch(groupId, builder, "consumer group state", done);
        }
    }

    /**
     * Runs {@code encoding}; if a field does not fit the record format, answers INVALID_REQUEST instead of writing a
     * record the next load could not read, and returns false.
     */
    private static boolean encode(String groupId, String what, Consumer<Errors> done, Runnable encoding) {
        try {
            encoding.run();
            return true;
        } catch (IllegalArgumentException e) {
            LOG.warn("Refused to write {} of group {}: {}", what, StoredStrings.abbreviated(groupId), e.getMessage());
            done.accept(Errors.INVALID_REQUEST);
            return false;
        }
    }

    /** The buffer grows as needed; the estimate only saves copies. */
    private static MemoryRecordsBuilder builder(int estimate) {
        return MemoryRecords.builder(
                ByteBuffer.allocate(128 + estimate), Compression.NONE, TimestampType.CREATE_TIME, 0L);
    }

    /**
     * Appends to the group's partition, then calls {@code done} once the batch is durable. The append is
     * serialized so a group's writes reach the log in call order, and {@code whenDurable} keeps that order for the
     * callbacks; no lock is held while a callback runs (callers hold their own locks around this call).
     */
    private void appendBatch(String groupId, MemoryRecordsBuilder batch, String what, Consumer<Errors> done) {
        Partition partition;
        LogAppendInfo info;
        synchronized (this) {
            try {
                partition = partitionFor(groupId);
                info = partition == null
                        ? null
                        : partition.appendRecordsAsCoordinator(batch.build().buffer());
            } catch (InvalidProducerEpochException e) {
                // A transactional write of a producer fenced since its TxnOffsetCommit was checked.
                LOG.info("Refused {} of group {}: {}", what, StoredStrings.abbreviated(groupId), e.getMessage());
                done.accept(Errors.INVALID_PRODUCER_EPOCH);
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not write {} of group {}: {}", what, groupId, e.toString());
                partition = null;
                info = null;
            }
        }
        if (info == null) {
            done.accept(Errors.COORDINATOR_NOT_AVAILABLE);
            return;
        }
        partition.whenDurable(
                info.lastOffset() + 1,
                error -> done.accept(error == Errors.NONE ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE));
    }

    /** The group's partition if this node leads it (a coordinator that lost it must not write a follower's log). */
    private Partition partitionFor(String groupId) throws IOException {
        TopicImage topic = topic();
        int index = partitionIndex(groupId, topic.partitionCount());
        return Assignments.leads(controller.image(), topic, index, replicas.nodeId())
                ? replicas.partition(NAME, index)
                : null;
    }

    /** The offsets topic, created first if it does not exist (at the first commit, or to find a coordinator). */
    public TopicImage topic() throws IOException {
        TopicImage topic = controller.image().topic(NAME);
        if (topic == null) {
            try {
                topic = controller.createTopic(NAME, partitionsToCreate, replicationFactor, TOPIC_CONFIGS);
                LOG.info("Created {} with {} partitions of {} replicas", NAME, partitionsToCreate, replicationFactor);
            } catch (TopicExistsException e) {
                topic = controller.image().topic(NAME);
            }
        }
        return topic;
    }

    /**
     * The partition of the topic the group's records go to: by its partition count, or by the count it will be
     * created with.
     */
    public int partitionOf(String groupId) {
        TopicImage topic = controller.image().topic(NAME);
        return partitionIndex(groupId, topic == null ? partitionsToCreate : topic.partitionCount());
    }

    /** Kafka's mapping of a group to its partition of the offsets topic. */
    public static int partitionIndex(String groupId, int partitionCount) {
        return Utils.abs(groupId.hashCode()) % partitionCount;
    }

    /** What a load found besides offsets: the last record of each group, null where it was deleted. */
    public record LoadedGroups(Map<String, GroupRecord> classic, Map<String, byte[]> consumer) {
        public LoadedGroups() {
            this(new HashMap<>(), new HashMap<>());
        }
    }

    /**
     * Replays every partition of the topic (if it exists): offsets into {@code offsets}, the last membership record
     * of each classic group and the last snapshot of each consumer group into {@code groups}. A record that does not
     * decode is logged and skipped ({@link OffsetsTopicLoader}); only an I/O error stops the load. Returns the
     * records loaded.
     */
    public long load(GroupOffsets offsets, LoadedGroups groups) throws IOException {
        TopicImage topic = controller.image().topic(NAME);
        if (topic == null) {
            return 0;
        }
        long records = 0;
        for (int p = 0; p < topic.partitionCount(); p++) {
            records += load(p, offsets, groups);
        }
        return records;
    }

    /**
     * Replays partition {@code index} of the topic, if its log is open here, as {@link #load(GroupOffsets,
     * LoadedGroups)} replays them all: in a cluster, when this node becomes the partition's leader. Returns the
     * records loaded.
     */
    public long load(int index, GroupOffsets offsets, LoadedGroups groups) throws IOException {
        Partition partition = replicas.partition(NAME, index);
        if (partition == null) {
            return 0;
        }
        OffsetsTopicLoader loader = new OffsetsTopicLoader(index, offsets, groups);
        loader.load(OffsetsTopicLoader.LogSource.of(partition), LOAD_READ_BYTES);
        if (loader.skips() > 0) {
            LOG.warn(
                    "Skipped {} records or batches of {}-{} that did not decode (each logged above)",
                    loader.skips(),
                    NAME,
                    index);
        }
        return loader.recordsLoaded();
    }
}
