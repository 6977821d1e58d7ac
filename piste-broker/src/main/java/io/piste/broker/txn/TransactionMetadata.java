package io.piste.broker.txn;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * One transactional id's state in memory: what its last durable entry of {@code __transaction_state} says, plus the
 * change being written ({@link #pending}), if any. Every access holds this object's monitor; a change is prepared
 * ({@link #prepare}), written, then either {@link #complete}d or {@link #abandon}ed, and while it is written other
 * requests of the id get CONCURRENT_TRANSACTIONS (Kafka's pendingState).
 */
final class TransactionMetadata {

    /** Kafka's highest usable epoch: one below Short.MAX_VALUE, kept free for the fencing bump. */
    static final short MAX_EPOCH = Short.MAX_VALUE - 1;

    final String transactionalId;
    long producerId;
    long previousProducerId = -1;
    long nextProducerId = -1;
    short producerEpoch;
    /** The epoch before the last bump, so a retried request of the bumped one is recognised (KIP-360, KIP-890). */
    short lastProducerEpoch = -1;

    int timeoutMs;
    TransactionState state;
    Set<TopicPartition> partitions = new HashSet<>();
    long lastUpdateMs;
    long startMs = -1;
    short clientTransactionVersion;
    /** The change being written, or null. */
    TransactionLogEntry pending;
    /**
     * Protocol v2's adds made for writes of the transaction, in arrival order, each until the write it was made for
     * has gone on (TransactionCoordinator.addImplicitly).
     */
    final Deque<ImplicitAdd> implicitAdds = new ArrayDeque<>();
    /** Whether the first of {@link #implicitAdds} is being written (or its write's answer not yet handed on). */
    boolean implicitAddWriting;

    /** An add of protocol v2 and what goes on after it ({@code done}: the produce or the offset commit). */
    record ImplicitAdd(long producerId, short producerEpoch, Set<TopicPartition> partitions, Consumer<Errors> done) {}

    TransactionMetadata(String transactionalId, long producerId, short producerEpoch, int timeoutMs, long nowMs) {
        this.transactionalId = transactionalId;
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.timeoutMs = timeoutMs;
        this.state = TransactionState.EMPTY;
        this.lastUpdateMs = nowMs;
    }

    static TransactionMetadata of(TransactionLogEntry entry) {
        TransactionMetadata metadata = new TransactionMetadata(
                entry.transactionalId(), entry.producerId(), entry.producerEpoch(), entry.timeoutMs(), 0);
        metadata.apply(entry);
        if (entry.clientTransactionVersion() >= 2
                && entry.producerEpoch() > 0
                && !entry.state().isPrepare()) {
            // v2 bumped the epoch at the last end: a retry of that end comes with the epoch before
            metadata.lastProducerEpoch = (short) (entry.producerEpoch() - 1);
        }
        return metadata;
    }

    /** The current state as an entry, the base of every change. */
    TransactionLogEntry current() {
        return new TransactionLogEntry(
                transactionalId,
                producerId,
                previousProducerId,
                nextProducerId,
                producerEpoch,
                timeoutMs,
                state,
                partitions,
                lastUpdateMs,
                startMs,
                clientTransactionVersion);
    }

    boolean hasPending() {
        return pending != null;
    }

    /** Marks {@code change} as being written; the caller writes it and then completes or abandons it. */
    TransactionLogEntry prepare(TransactionLogEntry change) {
        if (pending != null) {
            throw new IllegalStateException("a change of " + transactionalId + " is already being written");
        }
        pending = change;
        return change;
    }

    /** The pending change is durable: it becomes the state. */
    void complete(TransactionLogEntry change) {
        if (pending != change) {
            throw new IllegalStateException("completing a change of " + transactionalId + " that is not pending");
        }
        pending = null;
        apply(change);
    }

    /** The pending change could not be written: the state stays what it was. */
    void abandon(TransactionLogEntry change) {
        if (pending == change) {
            pending = null;
        }
    }

    /**
     * The write of the pending {@code change} ended with {@code error}: it becomes the state if it is durable, and is
     * dropped otherwise. Takes this metadata's monitor, as every caller would.
     */
    synchronized void settle(TransactionLogEntry change, Errors error) {
        if (error == Errors.NONE) {
            complete(change);
        } else {
            abandon(change);
        }
    }

    private void apply(TransactionLogEntry entry) {
        if (entry.producerEpoch() != producerEpoch || entry.producerId() != producerId) {
            lastProducerEpoch = entry.producerId() == producerId ? producerEpoch : -1;
        }
        producerId = entry.producerId();
        previousProducerId = entry.previousProducerId();
        nextProducerId = entry.nextProducerId();
        producerEpoch = entry.producerEpoch();
        timeoutMs = entry.timeoutMs();
        state = entry.state();
        partitions = new HashSet<>(entry.partitions());
        lastUpdateMs = entry.lastUpdateMs();
        startMs = entry.startMs();
        clientTransactionVersion = entry.clientTransactionVersion();
    }

    /** Whether the transaction uses protocol v2 (KIP-890): an epoch bump at each end. */
    boolean isV2() {
        return clientTransactionVersion >= 2;
    }

    @Override
    public String toString() {
        return "transaction " + transactionalId + " (producer " + producerId + " epoch " + producerEpoch + ", " + state
                + ")";
    }
}
