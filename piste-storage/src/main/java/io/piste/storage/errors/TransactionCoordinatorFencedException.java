package io.piste.storage.errors;

/**
 * A transaction marker carries a coordinator epoch older than one already seen for its producer (Kafka's
 * TRANSACTION_COORDINATOR_FENCED): it comes from a coordinator that has since lost the transaction.
 */
public class TransactionCoordinatorFencedException extends StorageException {
    private static final long serialVersionUID = 1L;

    public TransactionCoordinatorFencedException(String message) {
        super(message);
    }
}
