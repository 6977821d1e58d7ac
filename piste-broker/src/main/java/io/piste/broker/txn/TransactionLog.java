package io.piste.broker.txn;

import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;

/** Where the coordinator makes transactional ids' states durable: {@code __transaction_state}, a fake in tests. */
public interface TransactionLog {

    /**
     * Writes {@code entry} and calls {@code done} once it is durable, with NONE, or with the error that kept it
     * from being written (COORDINATOR_NOT_AVAILABLE if the log cannot be written, NOT_COORDINATOR if its partition
     * is gone; INVALID_REQUEST, with nothing written, if the entry does not fit the record format: a transactional id
     * or topic longer than 32767 bytes of UTF-8). Writes of one transactional id made one after another complete in
     * the order they were made; {@code done} may run on the calling thread, before this returns.
     */
    void write(TransactionLogEntry entry, Consumer<Errors> done);

    /** Writes a tombstone for {@code transactionalId} (its expiry), then calls {@code done} as {@link #write}. */
    void remove(String transactionalId, Consumer<Errors> done);

    /**
     * Replays the log (at start-up, before any request): the last entry of each transactional id that has not been
     * removed. An entry that does not decode is logged and skipped; only an I/O error stops the load.
     */
    Map<String, TransactionLogEntry> load() throws IOException;

    /**
     * Replays one partition of the log (in a cluster, when this node becomes its leader): the last entry of each of
     * its transactional ids that has not been removed, as {@link #load}.
     */
    Map<String, TransactionLogEntry> load(int partition) throws IOException;

    /** The partition of the log {@code transactionalId}'s entries go to. */
    int partitionOf(String transactionalId);
}
