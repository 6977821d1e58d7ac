package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * The partitions this broker leads, found the way requests name them: by topic name, or by topic id (Produce and
 * Fetch from v13). What the produce and read handlers need of the broker's metadata and partitions, and no more.
 * Implementations are thread-safe: every event loop calls them.
 */
interface PartitionLookup {

    /** The name of the topic with this id, or null if no topic has it. */
    String topicName(Uuid topicId);

    /** Partition {@code index} of topic {@code topic}, or null if the topic or the partition is unknown here. */
    Partition partition(String topic, int index);

    /**
     * Partition {@code index} of {@code topic} where this node follows its leader, or null: a consumer that names its
     * rack may read it here, up to this replica's high watermark (KIP-392).
     */
    default Partition followedPartition(String topic, int index) {
        return null;
    }

    /** Whether the known topic {@code topic} is compacted ({@code cleanup.policy} holds {@code compact}). */
    default boolean isCompacted(String topic) {
        return false;
    }

    /**
     * Why {@link #partition} found no partition {@code index} of the known topic {@code topic}:
     * {@code KAFKA_STORAGE_ERROR} where its log is here but failed to open (as Kafka answers for a replica on an
     * offline log dir), {@code UNKNOWN_TOPIC_OR_PARTITION} otherwise.
     */
    default Errors missingPartitionError(String topic, int index) {
        return Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }
}
