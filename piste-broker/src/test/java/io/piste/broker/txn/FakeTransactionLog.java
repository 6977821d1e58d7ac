package io.piste.broker.txn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;

/** An in-memory __transaction_state: every write durable at once, or failing while {@link #failing} is set. */
public final class FakeTransactionLog implements TransactionLog {

    final List<TransactionLogEntry> written = new ArrayList<>();
    final Map<String, TransactionLogEntry> stored = new HashMap<>();
    volatile Errors failing = Errors.NONE;

    @Override
    public synchronized void write(TransactionLogEntry entry, Consumer<Errors> done) {
        if (failing != Errors.NONE) {
            done.accept(failing);
            return;
        }
        written.add(entry);
        stored.put(entry.transactionalId(), entry);
        done.accept(Errors.NONE);
    }

    @Override
    public synchronized void remove(String transactionalId, Consumer<Errors> done) {
        stored.remove(transactionalId);
        done.accept(Errors.NONE);
    }

    @Override
    public synchronized Map<String, TransactionLogEntry> load() {
        return new HashMap<>(stored);
    }

    synchronized TransactionLogEntry last(String transactionalId) {
        return stored.get(transactionalId);
    }
}
