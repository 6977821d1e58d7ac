package io.piste.broker.txn;

import org.apache.kafka.common.protocol.Errors;

/**
 * EndTxn's rules (Kafka's state table): which request decides the transaction, which is the retry of a decision
 * already made (answered as the first time), and which is refused.
 */
final class EndChecks {

    private EndChecks() {}

    /** An answer to give at once, or none ({@code answer == null}): the transaction is to be decided. */
    record Outcome(ProducerIdAndEpoch answer) {
        static final Outcome DECIDE = new Outcome(null);

        static Outcome refuse(Errors error) {
            return new Outcome(ProducerIdAndEpoch.failed(error));
        }
    }

    /** Holds the metadata's monitor. */
    static Outcome outcome(TransactionMetadata metadata, long producerId, short epoch, boolean commit, boolean v2) {
        if (metadata.state == TransactionState.DEAD) {
            return Outcome.refuse(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        // protocol v2 bumps the epoch at each end: a retry of the last end comes with the epoch before
        boolean rotatedRetry = v2 && producerId == metadata.previousProducerId && producerId != metadata.producerId;
        if (producerId != metadata.producerId && !rotatedRetry) {
            return Outcome.refuse(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        boolean retry = rotatedRetry || (v2 && epoch >= 0 && epoch + 1 == metadata.producerEpoch);
        if (epoch != metadata.producerEpoch && !retry) {
            return Outcome.refuse(Errors.PRODUCER_FENCED);
        }
        if (metadata.hasPending()) {
            return Outcome.refuse(Errors.CONCURRENT_TRANSACTIONS);
        }
        ProducerIdAndEpoch current = ProducerIdAndEpoch.of(metadata.producerId, metadata.producerEpoch);
        return switch (metadata.state) {
            case ONGOING -> retry ? Outcome.refuse(Errors.PRODUCER_FENCED) : Outcome.DECIDE;
            case PREPARE_COMMIT -> Outcome.refuse(commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
            case PREPARE_ABORT -> Outcome.refuse(commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS);
            case COMPLETE_COMMIT -> completed(commit, true, v2, retry, current);
            case COMPLETE_ABORT -> completed(commit, false, v2, retry, current);
            // v2: a producer that does not know whether its first write reached a partition may abort anyway
            case EMPTY -> !commit && v2 && !retry ? Outcome.DECIDE : Outcome.refuse(Errors.INVALID_TXN_STATE);
            default -> Outcome.refuse(Errors.INVALID_TXN_STATE);
        };
    }

    private static Outcome completed(
            boolean commit, boolean committed, boolean v2, boolean retry, ProducerIdAndEpoch current) {
        if (commit == committed && (retry || !v2)) {
            return new Outcome(current);
        }
        if (!commit && v2 && !retry) {
            return Outcome.DECIDE;
        }
        return Outcome.refuse(Errors.INVALID_TXN_STATE);
    }
}
