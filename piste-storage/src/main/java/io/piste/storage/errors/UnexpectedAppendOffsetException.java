package io.piste.storage.errors;

/**
 * A follower's append whose batches do not go on from its log end offset in increasing order (Kafka's
 * {@code UnexpectedAppendOffsetException}): the first batch starts below the log end, or a batch overlaps the one
 * before it. Nothing was written; the follower fetches again from its log end.
 */
public class UnexpectedAppendOffsetException extends StorageException {
    private static final long serialVersionUID = 1L;

    public UnexpectedAppendOffsetException(String message) {
        super(message);
    }
}
