package io.piste.storage.errors;

/** A batch is larger than the topic's max.message.bytes (Kafka's MESSAGE_TOO_LARGE). */
public class BatchTooLargeException extends StorageException {
    private static final long serialVersionUID = 1L;

    public BatchTooLargeException(String message) {
        super(message);
    }
}
