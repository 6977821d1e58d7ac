package io.piste.broker.txn;

import io.piste.broker.partition.InternalTopicLoader;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Replays one partition of {@code __transaction_state} at start-up: each record's transactional id and entry
 * ({@link TransactionLogCodec}) into the map of a load, the later record of an id replacing the earlier one and a
 * tombstone leaving null (the id was removed). Read as {@link InternalTopicLoader} reads any internal topic: a record
 * that does not decode is logged and skipped, and leaves no trace (it is decoded whole before it is applied).
 *
 * <p>Not thread-safe: one loader per partition, on the start-up thread, before the broker serves requests.
 */
final class TransactionStateLoader extends InternalTopicLoader {

    private final Map<String, TransactionLogEntry> loaded;

    /** @param loaded where each id's last entry goes, null for a removed id */
    TransactionStateLoader(int partition, Map<String, TransactionLogEntry> loaded) {
        super(TransactionStateTopic.NAME + "-" + partition);
        this.loaded = loaded;
    }

    @Override
    protected void apply(ByteBuffer key, ByteBuffer value) {
        String transactionalId = TransactionLogCodec.readKey(key);
        TransactionLogEntry entry = value == null ? null : TransactionLogCodec.readValue(transactionalId, value);
        loaded.put(transactionalId, entry);
    }
}
