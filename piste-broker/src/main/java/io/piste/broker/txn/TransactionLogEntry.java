package io.piste.broker.txn;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * One record of {@code __transaction_state}: a transactional id's state after a change, as Kafka's
 * TransactionLogValue (v1) holds it. Immutable.
 *
 * @param producerId the producer id in use
 * @param previousProducerId the producer id before the last one was handed out when the epoch ran out, or -1
 * @param nextProducerId the producer id handed out for the next transaction (protocol v2 epoch exhaustion), or -1
 * @param producerEpoch the epoch of {@code producerId}
 * @param timeoutMs the producer's transaction.timeout.ms
 * @param state the state
 * @param partitions the partitions the ongoing (or deciding) transaction wrote to; empty when none
 * @param lastUpdateMs when the state last changed (wall clock)
 * @param startMs when the ongoing transaction started, or -1
 * @param clientTransactionVersion the transaction protocol version the producer uses (0 or 1: v1; 2: KIP-890 v2)
 */
public record TransactionLogEntry(
        String transactionalId,
        long producerId,
        long previousProducerId,
        long nextProducerId,
        short producerEpoch,
        int timeoutMs,
        TransactionState state,
        Set<TopicPartition> partitions,
        long lastUpdateMs,
        long startMs,
        short clientTransactionVersion) {

    public TransactionLogEntry {
        partitions = Set.copyOf(partitions);
    }
}
