package io.piste.broker.handler;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;

/**
 * The shape Kafka requires of a Produce request from v3, checked before anything is appended: each partition's
 * records are exactly one batch, and each partition is listed once. Kafka keeps only the last entry of a partition
 * listed twice and drops the others without a word; Piste refuses them all (INVALID_RECORD), so that nothing that
 * looks acknowledged is lost. Stateless; allocates only for a request that lists several partitions.
 */
final class ProduceRequestChecks {

    /** Base offset (8 bytes) and batch length (4 bytes): the length counts the bytes after these. */
    private static final int LOG_OVERHEAD = 12;
    private static final int LENGTH_OFFSET = 8;

    private ProduceRequestChecks() {
    }

    /**
     * Whether {@code records} hold more bytes than their first batch: a second batch (or trailing bytes). A first
     * batch cut short is left to the log's validation (CORRUPT_MESSAGE). Reads one int; allocates nothing.
     */
    static boolean holdsMoreThanOneBatch(ByteBuffer records) {
        int size = records.remaining();
        if (size < LOG_OVERHEAD) {
            return false;
        }
        long firstBatchBytes = LOG_OVERHEAD + (long) records.getInt(records.position() + LENGTH_OFFSET);
        return firstBatchBytes > 0 && size > firstBatchBytes;
    }

    /** The keys ({@link #key}) of the partitions listed more than once; empty if none. */
    static Set<String> listedMoreThanOnce(ProduceRequestData request, boolean byId) {
        int entries = 0;
        for (TopicProduceData topic : request.topicData()) {
            entries += topic.partitionData().size();
        }
        if (entries < 2) {
            return Set.of();
        }
        Set<String> seen = new HashSet<>(entries * 2);
        Set<String> repeated = Set.of();
        for (TopicProduceData topic : request.topicData()) {
            for (PartitionProduceData partition : topic.partitionData()) {
                String key = key(topic, partition, byId);
                if (!seen.add(key)) {
                    if (repeated.isEmpty()) {
                        repeated = new HashSet<>();
                    }
                    repeated.add(key);
                }
            }
        }
        return repeated;
    }

    static String key(TopicProduceData topic, PartitionProduceData partition, boolean byId) {
        return (byId ? String.valueOf(topic.topicId()) : topic.name()) + ":" + partition.index();
    }
}
