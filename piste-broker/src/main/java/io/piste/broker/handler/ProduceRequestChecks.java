package io.piste.broker.handler;

import io.piste.storage.record.RecordBatchView;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;

/**
 * The shape Kafka requires of a Produce request from v3, checked before anything is appended: each partition's
 * records are exactly one batch, and each partition is listed once. Kafka keeps only the last entry of a partition
 * listed twice and drops the others without a word; Piste refuses them all (INVALID_RECORD), so that nothing that
 * looks acknowledged is lost. Stateless. Called for every Produce request, so the common case allocates nothing:
 * up to {@link #PAIRWISE_MAX} entries are compared pairwise, and a set is built only beyond that or when a
 * partition is listed twice.
 */
final class ProduceRequestChecks {

    /** Up to this many partition entries, pairwise comparison (at most ~2,000 compares) beats building a set. */
    static final int PAIRWISE_MAX = 64;
    /** The smallest batch length a batch can have: the bytes of its header after base offset and length. */
    private static final int MIN_BATCH_LENGTH = RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD;

    /** One partition entry of a request: its topic (a {@code Uuid} from v13, else the name) and its index. */
    record PartitionKey(Object topic, int index) {}

    private ProduceRequestChecks() {}

    /**
     * Whether {@code records} hold more bytes than their first batch: a second batch (or trailing bytes). A first
     * batch whose length is negative, shorter than a batch header or beyond the bytes present is left to the log's
     * validation, the one place that judges a batch (CORRUPT_MESSAGE). Reads one int; allocates nothing.
     */
    static boolean holdsMoreThanOneBatch(ByteBuffer records) {
        int size = records.remaining();
        if (size < RecordBatchView.LOG_OVERHEAD) {
            return false;
        }
        int batchLength = records.getInt(records.position() + RecordBatchView.BATCH_LENGTH_OFFSET);
        if (batchLength < MIN_BATCH_LENGTH) {
            return false;
        }
        return size > RecordBatchView.LOG_OVERHEAD + (long) batchLength;
    }

    /**
     * Whether the first batch of {@code records} says it belongs to a transaction (attributes bit 4). Without a
     * transaction coordinator nothing could ever close such a transaction: it would hold the partition's last stable
     * offset, read_committed consumers and compaction for good. Reads one short; a buffer too short to hold the
     * attributes is left to the log's validation.
     */
    static boolean isTransactional(ByteBuffer records) {
        if (records.remaining() < RecordBatchView.ATTRIBUTES_OFFSET + Short.BYTES) {
            return false;
        }
        short attributes = records.getShort(records.position() + RecordBatchView.ATTRIBUTES_OFFSET);
        return (attributes & RecordBatchView.TRANSACTIONAL_FLAG) != 0;
    }

    /** The keys ({@link #key}) of the partitions listed more than once; empty (and nothing allocated) if none. */
    static Set<PartitionKey> listedMoreThanOnce(ProduceRequestData request, boolean byId) {
        int entries = 0;
        for (TopicProduceData topic : request.topicData()) {
            entries += topic.partitionData().size();
        }
        if (entries < 2 || entries <= PAIRWISE_MAX && !anyListedTwice(request, byId)) {
            return Set.of();
        }
        Set<PartitionKey> seen = new HashSet<>(entries * 2);
        Set<PartitionKey> repeated = new HashSet<>();
        for (TopicProduceData topic : request.topicData()) {
            for (PartitionProduceData partition : topic.partitionData()) {
                PartitionKey key = key(topic, partition, byId);
                if (!seen.add(key)) {
                    repeated.add(key);
                }
            }
        }
        return repeated.isEmpty() ? Set.of() : repeated;
    }

    static PartitionKey key(TopicProduceData topic, PartitionProduceData partition, boolean byId) {
        return new PartitionKey(byId ? topic.topicId() : topic.name(), partition.index());
    }

    /** Pairwise: whether two entries name the same partition. The topic collection may list a topic twice. */
    private static boolean anyListedTwice(ProduceRequestData request, boolean byId) {
        int firstPosition = 0;
        for (TopicProduceData first : request.topicData()) {
            List<PartitionProduceData> partitions = first.partitionData();
            for (int i = 0; i < partitions.size(); i++) {
                for (int j = i + 1; j < partitions.size(); j++) {
                    if (partitions.get(i).index() == partitions.get(j).index()) {
                        return true;
                    }
                }
            }
            int secondPosition = 0;
            for (TopicProduceData second : request.topicData()) {
                if (secondPosition++ > firstPosition
                        && sameTopic(first, second, byId)
                        && shareAnIndex(partitions, second.partitionData())) {
                    return true;
                }
            }
            firstPosition++;
        }
        return false;
    }

    private static boolean sameTopic(TopicProduceData a, TopicProduceData b, boolean byId) {
        return byId ? Objects.equals(a.topicId(), b.topicId()) : Objects.equals(a.name(), b.name());
    }

    private static boolean shareAnIndex(List<PartitionProduceData> a, List<PartitionProduceData> b) {
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < b.size(); j++) {
                if (a.get(i).index() == b.get(j).index()) {
                    return true;
                }
            }
        }
        return false;
    }
}
