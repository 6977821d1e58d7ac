package io.piste.broker.txn;

import java.io.IOException;
import org.apache.kafka.common.protocol.Errors;

/** InitProducerId's rules for a transactional id (Kafka's, with KIP-360's recovery of a known producer). */
final class InitChecks {

    private InitChecks() {}

    /**
     * Why the request cannot go on now, or NONE. {@code expectedProducerId} is -1 when the producer gives none.
     * Holds the metadata's monitor.
     */
    static Errors refusal(TransactionMetadata metadata, long expectedProducerId, short expectedEpoch) {
        if (metadata.state == TransactionState.DEAD || metadata.hasPending() || metadata.state.isPrepare()) {
            // being forgotten, being written, or markers being written: the producer asks again
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        if (expectedProducerId < 0 || metadata.producerEpoch < 0) {
            return Errors.NONE;
        }
        boolean rotatedAway =
                expectedProducerId == metadata.previousProducerId && expectedEpoch >= TransactionMetadata.MAX_EPOCH;
        if (rotatedAway) {
            return Errors.NONE;
        }
        if (expectedProducerId != metadata.producerId) {
            return Errors.PRODUCER_FENCED;
        }
        boolean current = expectedEpoch == metadata.producerEpoch;
        return current || isRetry(metadata, expectedProducerId, expectedEpoch) ? Errors.NONE : Errors.PRODUCER_FENCED;
    }

    /**
     * The producer already got this id's newest epoch but not the answer: it gets the same again, not another bump
     * (which would fence it). Also a producer whose id was rotated away after its epoch ran out.
     */
    static boolean isRetry(TransactionMetadata metadata, long expectedProducerId, short expectedEpoch) {
        if (expectedProducerId < 0 || metadata.state == TransactionState.ONGOING) {
            return false;
        }
        if (expectedProducerId == metadata.previousProducerId && expectedEpoch >= TransactionMetadata.MAX_EPOCH) {
            return true;
        }
        return expectedProducerId == metadata.producerId
                && expectedEpoch >= 0
                && expectedEpoch == metadata.lastProducerEpoch
                && expectedEpoch != metadata.producerEpoch;
    }

    /** The next epoch, or a new producer id at epoch 0 once the epoch is used up. */
    static EntryBuilder bump(TransactionMetadata metadata, int timeoutMs, ProducerIds producerIds) throws IOException {
        EntryBuilder builder =
                EntryBuilder.from(metadata.current()).timeoutMs(timeoutMs).nextProducerId(-1);
        if (metadata.producerEpoch >= TransactionMetadata.MAX_EPOCH) {
            return builder.producer(producerIds.next(), (short) 0).previousProducerId(metadata.producerId);
        }
        return builder.producer(metadata.producerId, (short) (metadata.producerEpoch + 1));
    }
}
