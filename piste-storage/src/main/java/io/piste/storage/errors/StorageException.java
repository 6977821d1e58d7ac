package io.piste.storage.errors;

/** Base of the storage layer's unchecked errors: the input was refused, nothing was written. */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
