package io.piste.broker.txn;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The rules of adding partitions to a transaction and of writing in it (Kafka's, with KIP-890's check of each
 * transactional write). Every method holds the metadata's monitor.
 */
final class AddChecks {

    private AddChecks() {}

    /** Why partitions cannot be added now, or NONE. */
    static Errors refusal(TransactionMetadata metadata, long producerId, short producerEpoch) {
        Errors refused = producerError(metadata, producerId, producerEpoch);
        if (refused != Errors.NONE) {
            return refused;
        }
        if (metadata.state.isPrepare()) {
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        return metadata.state == TransactionState.DEAD ? Errors.INVALID_PRODUCER_ID_MAPPING : Errors.NONE;
    }

    static boolean includesAll(TransactionMetadata metadata, Set<TopicPartition> partitions) {
        return metadata.state == TransactionState.ONGOING && metadata.partitions.containsAll(partitions);
    }

    /** The transaction with {@code partitions} added, started at {@code nowMs} if none is ongoing. */
    static TransactionLogEntry change(
            TransactionMetadata metadata, Set<TopicPartition> partitions, boolean v2, long nowMs) {
        EntryBuilder builder = EntryBuilder.from(metadata.current())
                .state(TransactionState.ONGOING)
                .addPartitions(partitions);
        if (metadata.state != TransactionState.ONGOING) {
            builder.partitions(partitions).startMs(nowMs).clientTransactionVersion((short) (v2 ? 2 : 0));
        }
        return builder.at(nowMs);
    }

    /**
     * Whether a v2 producer writes its next transaction while the last one is being ended: it has the epoch (or the
     * new producer id) the end handed it, and the markers or the completion are still being written.
     */
    static boolean isNextTransactionOf(TransactionMetadata metadata, long producerId, short producerEpoch) {
        if (!metadata.state.isPrepare() || !metadata.isV2()) {
            return false;
        }
        boolean bumped = producerId == metadata.producerId && producerEpoch == metadata.producerEpoch;
        boolean rotated = producerId == metadata.nextProducerId && producerEpoch == 0;
        return bumped || rotated;
    }

    /** Why the producer cannot write to {@code partition} in its transaction now, or NONE. */
    static Errors partitionError(
            TransactionMetadata metadata, long producerId, short producerEpoch, TopicPartition partition) {
        Errors error = producerError(metadata, producerId, producerEpoch);
        if (error != Errors.NONE) {
            return error;
        }
        boolean deciding = metadata.hasPending() && metadata.pending.state() != TransactionState.ONGOING;
        if (metadata.state != TransactionState.ONGOING || deciding || !metadata.partitions.contains(partition)) {
            return Errors.INVALID_TXN_STATE;
        }
        return Errors.NONE;
    }

    private static Errors producerError(TransactionMetadata metadata, long producerId, short producerEpoch) {
        if (metadata.producerId != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        return metadata.producerEpoch == producerEpoch ? Errors.NONE : Errors.PRODUCER_FENCED;
    }
}
