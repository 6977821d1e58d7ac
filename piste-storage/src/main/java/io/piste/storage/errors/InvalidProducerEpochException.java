package io.piste.storage.errors;

/** A batch carries an epoch older than the producer's current one (Kafka's INVALID_PRODUCER_EPOCH). */
public class InvalidProducerEpochException extends StorageException {
    private static final long serialVersionUID = 1L;

    public InvalidProducerEpochException(String message) {
        super(message);
    }
}
