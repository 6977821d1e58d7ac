package io.piste.storage.log;

/**
 * Who appends a batch as leader, which sets how far its producer state is checked (Kafka's {@code AppendOrigin}).
 */
public enum AppendOrigin {
    /** A producer: idempotence checks in full (epoch, sequence, duplicates). */
    CLIENT,
    /**
     * The broker's own group coordinator writing to {@code __consumer_offsets}, transactional batches included
     * (TxnOffsetCommit): as in Kafka, their sequence (0) is not checked, only the producer epoch, and no batch is
     * kept for duplicate detection; several such batches of one producer and epoch all start at sequence 0.
     */
    COORDINATOR
}
