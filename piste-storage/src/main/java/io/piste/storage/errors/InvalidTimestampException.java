package io.piste.storage.errors;

/** A CreateTime batch's timestamp is too far from the broker's clock (Kafka's INVALID_TIMESTAMP). */
public class InvalidTimestampException extends StorageException {
    private static final long serialVersionUID = 1L;

    public InvalidTimestampException(String message) {
        super(message);
    }
}
