package io.piste.broker.handler;

import org.apache.kafka.common.protocol.Errors;

/**
 * The transaction coordinator's check of a TxnOffsetCommit, given to {@link TxnOffsetCommitHandler}: NONE if the
 * group's partition of {@code __consumer_offsets} is part of the producer's ongoing transaction (added by
 * AddOffsetsToTxn, or implicitly under transaction protocol v2), otherwise the error to answer for every partition
 * of the commit (such as INVALID_PRODUCER_EPOCH, PRODUCER_FENCED, TRANSACTIONAL_ID_NOT_FOUND, INVALID_TXN_STATE), in
 * the form the request's version expects.
 */
@FunctionalInterface
interface TransactionalOffsetsGate {
    Errors check(String transactionalId, long producerId, short producerEpoch, String groupId);
}
