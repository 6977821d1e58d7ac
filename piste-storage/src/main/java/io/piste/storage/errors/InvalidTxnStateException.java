package io.piste.storage.errors;

/**
 * A producer with an open transaction sent a batch that is not transactional (Kafka's INVALID_TXN_STATE): its data
 * would belong to no transaction, and no marker would ever decide it.
 */
public class InvalidTxnStateException extends StorageException {
    private static final long serialVersionUID = 1L;

    public InvalidTxnStateException(String message) {
        super(message);
    }
}
