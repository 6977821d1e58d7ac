package io.piste.storage.errors;

/** A read asked for an offset outside [logStartOffset, logEndOffset] (Kafka's OFFSET_OUT_OF_RANGE). */
public class OffsetOutOfRangeException extends StorageException {
    private static final long serialVersionUID = 1L;

    public OffsetOutOfRangeException(String message) {
        super(message);
    }
}
