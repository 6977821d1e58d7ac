package io.piste.broker.group;

import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.Partition;
import io.piste.broker.partition.ReplicaManager;
import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.log.LogAppendInfo;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets in the compacted internal topic {@code __consumer_offsets}: a group's records go to partition
 * {@code abs(groupId.hashCode()) % partitions}, as in Kafka, one v2 batch per commit (record format in
 * {@link OffsetRecordCodec}). The topic is created at the first commit, with {@code offsets.topic.num.partitions}
 * partitions; {@link #load} replays it at start-up. Thread-safe.
 */
public final class OffsetsTopic implements OffsetLog {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopic.class);
    public static final String NAME = Topic.GROUP_METADATA_TOPIC_NAME;
    static final int LOAD_READ_BYTES = 1024 * 1024;
    static final Map<String, String> TOPIC_CONFIGS = Map.of(
        "cleanup.policy", "compact",
        "segment.bytes", String.valueOf(100 * 1024 * 1024));

    private final LocalController controller;
    private final ReplicaManager replicas;
    private final int partitionsToCreate;
    private final LongSupplier clockMs;

    /** @param clockMs wall-clock milliseconds, for the batches' timestamps */
    public OffsetsTopic(LocalController controller, ReplicaManager replicas, int partitionsToCreate,
                        LongSupplier clockMs) {
        this.controller = controller;
        this.replicas = replicas;
        this.partitionsToCreate = partitionsToCreate;
        this.clockMs = clockMs;
    }

    @Override
    public synchronized void append(String groupId, Map<TopicPartition, CommittedOffset> offsets,
                                    Consumer<Errors> done) {
        Partition partition;
        LogAppendInfo info;
        try {
            partition = partitionFor(groupId);
            if (partition == null) {
                done.accept(Errors.COORDINATOR_NOT_AVAILABLE);
                return;
            }
            info = partition.appendRecordsToLeader(batch(groupId, offsets));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not write offsets of group {}: {}", groupId, e.toString());
            done.accept(Errors.COORDINATOR_NOT_AVAILABLE);
            return;
        }
        partition.whenDurable(info.lastOffset() + 1, error ->
            done.accept(error == Errors.NONE ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE));
    }

    private ByteBuffer batch(String groupId, Map<TopicPartition, CommittedOffset> offsets) {
        int estimate = 128;
        for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
            String metadata = e.getValue() == null ? null : e.getValue().metadata();
            estimate += 64 + 3 * (groupId.length() + e.getKey().topic().length()
                + (metadata == null ? 0 : metadata.length()));
        }
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(estimate), Compression.NONE,
            TimestampType.CREATE_TIME, 0L);
        long now = clockMs.getAsLong();
        offsets.forEach((tp, offset) -> builder.append(now, OffsetRecordCodec.key(groupId, tp),
            offset == null ? null : OffsetRecordCodec.value(offset)));
        return builder.build().buffer();
    }

    private Partition partitionFor(String groupId) throws IOException {
        TopicImage topic = controller.image().topic(NAME);
        if (topic == null) {
            try {
                topic = controller.createTopic(NAME, partitionsToCreate, TOPIC_CONFIGS);
                LOG.info("Created {} with {} partitions", NAME, partitionsToCreate);
            } catch (TopicExistsException e) {
                topic = controller.image().topic(NAME);
            }
        }
        return replicas.partition(NAME, partitionIndex(groupId, topic.partitionCount()));
    }

    /** Kafka's mapping of a group to its partition of the offsets topic. */
    static int partitionIndex(String groupId, int partitionCount) {
        return Utils.abs(groupId.hashCode()) % partitionCount;
    }

    /** Replays every partition of the topic (if it exists) into {@code offsets}; returns the records read. */
    public long load(GroupOffsets offsets) throws IOException {
        TopicImage topic = controller.image().topic(NAME);
        if (topic == null) {
            return 0;
        }
        long records = 0;
        for (int p = 0; p < topic.partitionCount(); p++) {
            Partition partition = replicas.partition(NAME, p);
            if (partition != null) {
                records += loadPartition(partition.log(), offsets);
            }
        }
        return records;
    }

    private static long loadPartition(UnifiedLog log, GroupOffsets offsets) throws IOException {
        long next = log.logStartOffset();
        long end = log.logEndOffset();
        long records = 0;
        while (next < end) {
            FetchDataInfo data = log.read(next, LOAD_READ_BYTES, end, true);
            if (data.isEmpty()) {
                break;
            }
            ByteBuffer buf = ByteBuffer.allocate(data.sizeInBytes());
            long position = data.position();
            while (buf.hasRemaining()) {
                int read = data.channel().read(buf, position + buf.position());
                if (read < 0) {
                    break;
                }
            }
            buf.flip();
            long before = next;
            for (RecordBatch batch : MemoryRecords.readableRecords(buf).batches()) {
                for (Record record : batch) {
                    if (record.offset() >= next && record.hasKey()) {
                        applyRecord(record, offsets);
                        records++;
                    }
                }
                next = batch.nextOffset();
            }
            if (next == before) {
                break;
            }
        }
        return records;
    }

    private static void applyRecord(Record record, GroupOffsets offsets) {
        OffsetRecordCodec.Key key = OffsetRecordCodec.readKey(record.key());
        if (key == null) {
            return;
        }
        offsets.apply(key.groupId(), key.partition(),
            record.hasValue() ? OffsetRecordCodec.readValue(record.value()) : null);
    }
}
