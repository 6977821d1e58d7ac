package io.piste.broker.txn;

import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/** Writes a transaction's end: a COMMIT or ABORT marker in each of its partitions ({@link PartitionMarkers}). */
public interface MarkerWriter {

    /**
     * Appends a marker of {@code producerId} at {@code producerEpoch} to each of {@code partitions} and calls
     * {@code done} once each is durable or has failed, with the error of each that failed (empty when all are
     * written): UNKNOWN_TOPIC_OR_PARTITION for one that no longer exists, KAFKA_STORAGE_ERROR for one whose log
     * is unavailable or could not be written, or the log's refusal of the marker (e.g. INVALID_PRODUCER_EPOCH).
     *
     * @param transactionVersion the producer's transaction protocol version (2: KIP-890's epoch rule for markers)
     * @param coordinatorEpoch the leader epoch of the coordinator's partition of {@code __transaction_state} (0 on a
     *     single node): a log refuses a marker whose coordinator epoch is older than its last marker's, so a deposed
     *     coordinator's late markers are fenced (TRANSACTION_COORDINATOR_FENCED)
     */
    void write(
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            int coordinatorEpoch,
            Set<TopicPartition> partitions,
            Consumer<Map<TopicPartition, Errors>> done);
}
