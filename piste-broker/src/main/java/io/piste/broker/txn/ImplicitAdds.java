package io.piste.broker.txn;

import io.piste.broker.txn.TransactionMetadata.ImplicitAdd;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Protocol v2's adds (KIP-890): the broker adds a partition to the producer's transaction itself when a produce or
 * an offset commit of the transaction first reaches it, durably, before that write goes on. A producer's writes must
 * reach each partition in the order it sent them (their sequence numbers say so, with up to five requests in
 * flight), so every add and the write it was made for ({@link ImplicitAdd#done}) are queued per transactional id
 * ({@link TransactionMetadata#implicitAdds}) and served in arrival order, one after the other, on the coordinator's
 * thread, never on the thread that made an add durable (the log flusher, which must not open logs or append). While
 * any is queued, {@link TransactionCoordinator#includes} says no, so a later write of the producer queues behind
 * them instead of overtaking them.
 *
 * <p>An add that must be written takes the partitions of the adds queued right behind it for the same producer
 * epoch (the same transaction) along: one write of {@code __transaction_state} for all, instead of one each.
 */
final class ImplicitAdds {

    private final TransactionLog stateLog;
    private final Executor coordinatorThread;
    private final LongSupplier clockMs;

    ImplicitAdds(TransactionLog stateLog, Executor coordinatorThread, LongSupplier clockMs) {
        this.stateLog = stateLog;
        this.coordinatorThread = coordinatorThread;
        this.clockMs = clockMs;
    }

    /** Queues {@code add} behind the id's earlier ones; its {@code done} runs on the coordinator's thread. */
    void add(TransactionMetadata metadata, ImplicitAdd add) {
        boolean first;
        synchronized (metadata) {
            metadata.implicitAdds.add(add);
            first = metadata.implicitAdds.size() == 1;
        }
        if (first) {
            serveLater(metadata);
        }
    }

    /** A change of the id was written (or failed): the adds queued behind it go on. */
    void changeWritten(TransactionMetadata metadata) {
        serveLater(metadata);
    }

    /**
     * Serves the queued adds in order, on the coordinator's thread, until one has to wait: for its own write, for
     * another change of the id being written, or (v2) for the end of the producer's last transaction, whose markers
     * must be in the logs before the next transaction writes there. Each of those calls this again once done.
     */
    private void serve(TransactionMetadata metadata) {
        while (true) {
            ImplicitAdd head;
            Errors answer;
            TransactionLogEntry change = null;
            synchronized (metadata) {
                head = metadata.implicitAdds.peek();
                if (head == null
                        || metadata.implicitAddWriting
                        || metadata.hasPending()
                        || AddChecks.isNextTransactionOf(metadata, head.producerId(), head.producerEpoch())) {
                    return;
                }
                answer = AddChecks.refusal(metadata, head.producerId(), head.producerEpoch());
                if (answer == Errors.NONE && !AddChecks.includesAll(metadata, head.partitions())) {
                    change = metadata.prepare(
                            AddChecks.change(metadata, partitionsOfRun(metadata, head), true, clockMs.getAsLong()));
                    metadata.implicitAddWriting = true;
                }
            }
            if (change != null) {
                write(metadata, head, change);
                return;
            }
            finish(metadata, head, answer);
        }
    }

    /** The partitions of {@code head} and of the adds queued right behind it for the same producer and epoch. */
    private static Set<TopicPartition> partitionsOfRun(TransactionMetadata metadata, ImplicitAdd head) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (ImplicitAdd add : metadata.implicitAdds) {
            if (add.producerId() != head.producerId() || add.producerEpoch() != head.producerEpoch()) {
                break;
            }
            partitions.addAll(add.partitions());
        }
        return partitions;
    }

    private void write(TransactionMetadata metadata, ImplicitAdd head, TransactionLogEntry change) {
        stateLog.write(change, error -> {
            metadata.settle(change, error);
            run(metadata, () -> {
                synchronized (metadata) {
                    metadata.implicitAddWriting = false;
                }
                finish(metadata, head, error);
                serve(metadata);
            });
        });
    }

    /** Hands {@code add}'s answer on (the write it was made for goes on now, if NONE), then takes it off the queue. */
    private static void finish(TransactionMetadata metadata, ImplicitAdd add, Errors answer) {
        try {
            add.done().accept(answer);
        } finally {
            synchronized (metadata) {
                metadata.implicitAdds.remove(add);
            }
        }
    }

    private void serveLater(TransactionMetadata metadata) {
        synchronized (metadata) {
            if (metadata.implicitAdds.isEmpty()) {
                return;
            }
        }
        run(metadata, () -> serve(metadata));
    }

    /** Runs {@code task} on the coordinator's thread; once the coordinator is closed, fails every queued add. */
    private void run(TransactionMetadata metadata, Runnable task) {
        try {
            coordinatorThread.execute(task);
        } catch (RejectedExecutionException e) {
            failAll(metadata);
        }
    }

    /** The coordinator is closed: every queued add fails (the producer asks again, of the next coordinator). */
    private static void failAll(TransactionMetadata metadata) {
        List<ImplicitAdd> queued;
        synchronized (metadata) {
            queued = new ArrayList<>(metadata.implicitAdds);
            metadata.implicitAdds.clear();
            metadata.implicitAddWriting = false;
        }
        queued.forEach(add -> add.done().accept(Errors.COORDINATOR_NOT_AVAILABLE));
    }
}
