package io.piste.broker.txn;

/**
 * The group coordinator's side of a transaction's end: the offsets a transaction committed to a partition of
 * {@code __consumer_offsets} (TxnOffsetCommit) become the group's committed offsets on COMMIT, and are dropped on
 * ABORT, once the marker there is durable.
 */
@FunctionalInterface
public interface TransactionalOffsets {
    void complete(int offsetsPartition, long producerId, boolean commit);
}
