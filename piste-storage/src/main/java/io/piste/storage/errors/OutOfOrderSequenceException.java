package io.piste.storage.errors;

/** An idempotent batch's sequence does not follow the producer's last one (Kafka's OUT_OF_ORDER_SEQUENCE_NUMBER). */
public class OutOfOrderSequenceException extends StorageException {
    private static final long serialVersionUID = 1L;

    public OutOfOrderSequenceException(String message) {
        super(message);
    }
}
