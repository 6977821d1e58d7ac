package io.piste.broker.txn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;

/** An in-memory __transaction_state: every write durable at once, or failing while {@link #failing} is set. */
public final class FakeTransactionLog implements TransactionLog {

    final List<TransactionLogEntry> written = new ArrayList<>();
    final Map<String, TransactionLogEntry> stored = new HashMap<>();
    volatile Errors failing = Errors.NONE;
    /** While set, writes are stored but not yet durable: their callbacks wait for {@link #release}. */
    volatile boolean holding;

    /** If set, each durable write is told on it, after a short random delay, as a flusher thread would. */
    volatile ScheduledExecutorService async;

    private final List<Runnable> held = new ArrayList<>();

    @Override
    public void write(TransactionLogEntry entry, Consumer<Errors> done) {
        synchronized (this) {
            if (failing != Errors.NONE) {
                done.accept(failing);
                return;
            }
            written.add(entry);
            stored.put(entry.transactionalId(), entry);
            if (holding) {
                held.add(() -> done.accept(Errors.NONE));
                return;
            }
        }
        ScheduledExecutorService flusher = async;
        if (flusher != null) {
            flusher.schedule(
                    () -> done.accept(Errors.NONE), ThreadLocalRandom.current().nextInt(200), TimeUnit.MICROSECONDS);
            return;
        }
        done.accept(Errors.NONE);
    }

    synchronized int writtenCount() {
        return written.size();
    }

    /** Makes the held writes durable, in order, on the calling thread. */
    void release() {
        List<Runnable> callbacks;
        synchronized (this) {
            holding = false;
            callbacks = new ArrayList<>(held);
            held.clear();
        }
        callbacks.forEach(Runnable::run);
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

    /** How many partitions the ids are spread over ({@link TransactionStateTopic#partitionFor}). */
    volatile int partitionCount = 1;

    @Override
    public synchronized Map<String, TransactionLogEntry> load(int partition) {
        Map<String, TransactionLogEntry> loaded = new HashMap<>();
        stored.forEach((id, entry) -> {
            if (partitionOf(id) == partition) {
                loaded.put(id, entry);
            }
        });
        return loaded;
    }

    @Override
    public int partitionOf(String transactionalId) {
        return TransactionStateTopic.partitionFor(transactionalId, partitionCount);
    }

    synchronized TransactionLogEntry last(String transactionalId) {
        return stored.get(transactionalId);
    }
}
