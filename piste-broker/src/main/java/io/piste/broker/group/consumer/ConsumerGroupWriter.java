package io.piste.broker.group.consumer;

import io.piste.broker.group.ConsumerGroupLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes consumer groups' snapshots to a {@link ConsumerGroupLog} and tells each caller when the state it answers
 * from is durable. A snapshot equal to the last one written is not written again, but its caller still waits for
 * that write: a heartbeat that changed nothing may carry an assignment whose write is still in flight (as Kafka's
 * coordinator completes a write without records only once the last written offset is committed).
 *
 * <p>{@link #write} is called under the coordinator's lock, so writes reach the log in the order of the changes;
 * the log's callbacks (on a flusher thread, or on the calling thread) take no lock of the coordinator, and the
 * callers' {@code done} run outside this class's locks.
 */
final class ConsumerGroupWriter {

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupWriter.class);

    /** One snapshot handed to the log (null: the group's tombstone), and who waits for it to be durable. */
    private static final class Write {
        final byte[] snapshot;
        /** Null while in flight. */
        private Errors result;

        private final List<Consumer<Errors>> waiters = new ArrayList<>(1);

        Write(byte[] snapshot, Errors result) {
            this.snapshot = snapshot;
            this.result = result;
        }

        /** Calls {@code done} once this write is durable or failed, at once if it is already. */
        void whenComplete(Consumer<Errors> done) {
            Errors known;
            synchronized (this) {
                known = result;
                if (known == null) {
                    waiters.add(done);
                    return;
                }
            }
            done.accept(known);
        }

        void complete(Errors error) {
            List<Consumer<Errors>> waiting;
            synchronized (this) {
                result = error;
                waiting = List.copyOf(waiters);
                waiters.clear();
            }
            waiting.forEach(w -> w.accept(error));
        }

        synchronized boolean failed() {
            return result != null && result != Errors.NONE;
        }
    }

    private final ConsumerGroupLog store;
    /** The last write per group; a tombstone's entry goes once it is durable. */
    private final Map<String, Write> last = new ConcurrentHashMap<>();

    ConsumerGroupWriter(ConsumerGroupLog store) {
        this.store = store;
    }

    /** The last snapshot handed to the log for the group, durable or in flight; null if none or a tombstone. */
    byte[] lastWritten(String groupId) {
        Write write = last.get(groupId);
        return write == null ? null : write.snapshot;
    }

    /** The snapshot a group was restored from is durable: an unchanged group is not written again. */
    void restored(String groupId, byte[] snapshot) {
        last.put(groupId, new Write(snapshot, Errors.NONE));
    }

    /** Forgets what was written for the group: it is coordinated elsewhere now. */
    void forget(String groupId) {
        last.remove(groupId);
    }

    /**
     * Writes {@code snapshot} (null: the group is gone) unless it equals the last one written and that write has
     * not failed, then calls {@code done} once the group's last write is durable, with NONE or the error that kept
     * it from being written.
     */
    void write(String groupId, byte[] snapshot, Consumer<Errors> done) {
        Write previous = last.get(groupId);
        if (previous == null && snapshot == null) {
            done.accept(Errors.NONE);
            return;
        }
        if (previous != null && !previous.failed() && Arrays.equals(previous.snapshot, snapshot)) {
            previous.whenComplete(done);
            return;
        }
        Write write = new Write(snapshot, null);
        last.put(groupId, write);
        write.whenComplete(done);
        store.writeConsumerGroup(groupId, snapshot, error -> {
            if (error != Errors.NONE) {
                log.warn("Could not write the state of consumer group {}: {}", groupId, error);
            } else if (snapshot == null) {
                last.remove(groupId, write);
            }
            write.complete(error);
        });
    }
}
