package io.piste.broker.handler;

import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;

/**
 * The transaction coordinator's part in a TxnOffsetCommit, given to {@link TxnOffsetCommitHandler}
 * ({@link CoordinatorOffsetsGate} in the broker, a lambda in tests).
 */
@FunctionalInterface
interface TransactionalOffsetsGate {

    /**
     * Runs {@code commit} if the group's partition of {@code __consumer_offsets} is part of the producer's ongoing
     * transaction (from TxnOffsetCommit v5, protocol v2, after adding it), with nothing able to end the transaction
     * in between; otherwise calls {@code refused} with the error to answer for every partition of the commit, in the
     * form the request's version expects. Either may happen after this returns.
     */
    void inTransaction(
            String transactionalId,
            long producerId,
            short producerEpoch,
            String groupId,
            short version,
            Runnable commit,
            Consumer<Errors> refused);
}
