package io.piste.storage.errors;

/** A batch is malformed: size, magic, CRC or offsets do not add up (Kafka's CORRUPT_MESSAGE). */
public class InvalidBatchException extends StorageException {
    private static final long serialVersionUID = 1L;

    public InvalidBatchException(String message) {
        super(message);
    }
}
