package io.piste.broker.txn;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/** A transactional id's state as the admin APIs show it (DescribeTransactions, ListTransactions). */
public record TransactionView(
        String transactionalId,
        TransactionState state,
        long producerId,
        short producerEpoch,
        int timeoutMs,
        long startMs,
        Set<TopicPartition> partitions) {

    public TransactionView {
        partitions = Set.copyOf(partitions);
    }
}
