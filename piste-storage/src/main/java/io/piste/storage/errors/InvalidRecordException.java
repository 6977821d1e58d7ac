package io.piste.storage.errors;

/**
 * A batch that is intact (its CRC matches) but not acceptable from a client: no records, a record count
 * that does not match its offset span, or a control batch. Retrying it cannot help, unlike a corrupt one.
 */
public class InvalidRecordException extends InvalidBatchException {
    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String message) {
        super(message);
    }
}
