package io.piste.broker.txn;

import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/** Writes a transaction's end: a COMMIT or ABORT marker in each of its partitions ({@link PartitionMarkers}). */
public interface MarkerWriter {

    /**
     * Appends a marker of {@code producerId} at {@code producerEpoch} to each of {@code partitions} and calls
     * {@code done} once each is durable or has failed, with the partitions that failed (empty when all are
     * written); the caller retries those. A partition that no longer exists (its topic deleted) counts as written.
     *
     * @param transactionVersion the producer's transaction protocol version (2: KIP-890's epoch rule for markers)
     */
    void write(
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            Set<TopicPartition> partitions,
            Consumer<Set<TopicPartition>> done);
}
