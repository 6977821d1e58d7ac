package io.piste.broker.handler;

import io.piste.storage.errors.BatchTooLargeException;
import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.InvalidRecordException;
import io.piste.storage.errors.InvalidTimestampException;
import io.piste.storage.errors.InvalidTxnStateException;
import io.piste.storage.errors.OffsetOutOfRangeException;
import io.piste.storage.errors.OutOfOrderSequenceException;
import io.piste.storage.errors.ProducerIdLimitExceededException;
import io.piste.storage.errors.TransactionCoordinatorFencedException;
import java.io.IOException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/** Maps the storage layer's exceptions to the Kafka error codes clients know. */
public final class StorageErrors {

    private StorageErrors() {}

    public static Errors forException(Throwable e) {
        if (e instanceof InvalidRecordException) {
            return Errors.INVALID_RECORD;
        } else if (e instanceof InvalidBatchException) {
            return Errors.CORRUPT_MESSAGE;
        } else if (e instanceof BatchTooLargeException) {
            return Errors.MESSAGE_TOO_LARGE;
        } else if (e instanceof InvalidTimestampException) {
            return Errors.INVALID_TIMESTAMP;
        } else if (e instanceof OutOfOrderSequenceException) {
            return Errors.OUT_OF_ORDER_SEQUENCE_NUMBER;
        } else if (e instanceof InvalidProducerEpochException) {
            return Errors.INVALID_PRODUCER_EPOCH;
        } else if (e instanceof InvalidTxnStateException) {
            return Errors.INVALID_TXN_STATE;
        } else if (e instanceof TransactionCoordinatorFencedException) {
            return Errors.TRANSACTION_COORDINATOR_FENCED;
        } else if (e instanceof ProducerIdLimitExceededException) {
            // Not retriable: a slot frees only when a producer expires (a day by default), far beyond any retry.
            // The Java producer fails the batch with PolicyViolationException carrying the broker's message.
            return Errors.POLICY_VIOLATION;
        } else if (e instanceof OffsetOutOfRangeException) {
            return Errors.OFFSET_OUT_OF_RANGE;
        } else if (e instanceof IOException) {
            return Errors.KAFKA_STORAGE_ERROR;
        } else if (e instanceof ApiException) {
            return Errors.forException(e);
        }
        return Errors.UNKNOWN_SERVER_ERROR;
    }
}
