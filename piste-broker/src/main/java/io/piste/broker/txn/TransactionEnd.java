package io.piste.broker.txn;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends transactions: the decision (PrepareCommit or PrepareAbort) is made durable first, then a marker goes to each
 * partition of the transaction, then the completion (CompleteCommit or CompleteAbort) is written. A crash anywhere
 * leaves a state from which {@link #resume} finishes the same decision, so no transaction hangs or half-commits.
 * Markers that fail are written again, with a back-off, until they succeed.
 */
final class TransactionEnd {

    private static final Logger log = LoggerFactory.getLogger(TransactionEnd.class);
    static final long FIRST_RETRY_MS = 200;
    static final long MAX_RETRY_MS = 10_000;

    private final TransactionLog stateLog;
    private final MarkerWriter markers;
    private final ProducerIds producerIds;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clockMs;
    /** Told after each write of a decision or a completion, so that what waited for it (a v2 producer's next
     * transaction) goes on. */
    private final Consumer<TransactionMetadata> written;
    /**
     * The coordinator epoch of an id's markers (its partition's leader epoch); -1 once this node no longer coordinates
     * the id's metadata (its partition led elsewhere, or loaded again into new metadata): its end is left to the
     * coordinator that loaded it since.
     */
    private final ToIntFunction<TransactionMetadata> coordinatorEpoch;

    TransactionEnd(
            TransactionLog stateLog,
            MarkerWriter markers,
            ProducerIds producerIds,
            ScheduledExecutorService scheduler,
            LongSupplier clockMs,
            Consumer<TransactionMetadata> written,
            ToIntFunction<TransactionMetadata> coordinatorEpoch) {
        this.written = written;
        this.coordinatorEpoch = coordinatorEpoch;
        this.stateLog = stateLog;
        this.markers = markers;
        this.producerIds = producerIds;
        this.scheduler = scheduler;
        this.clockMs = clockMs;
    }

    /**
     * The decision to end {@code metadata}'s transaction, for the caller to {@link #decide}: with protocol v2, or
     * when the coordinator aborts on its own ({@code fence}: a timeout or a new producer of the id), the markers
     * carry the next epoch, which fences the producer's older requests. Holds the metadata's monitor.
     */
    TransactionLogEntry prepare(TransactionMetadata metadata, boolean commit, boolean v2, boolean fence)
            throws IOException {
        TransactionLogEntry current = metadata.current();
        EntryBuilder change = EntryBuilder.from(current)
                .state(commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT);
        if (v2) {
            change.clientTransactionVersion((short) 2);
        }
        if ((v2 || fence) && current.producerEpoch() < Short.MAX_VALUE) {
            short bumped = (short) (current.producerEpoch() + 1);
            change.producer(current.producerId(), bumped);
            if (v2 && bumped >= TransactionMetadata.MAX_EPOCH) {
                // the epoch is used up: the producer continues under a new id, handed out now so a retry gets it too
                change.nextProducerId(producerIds.next());
            }
        }
        return metadata.prepare(change.at(clockMs.getAsLong()));
    }

    /**
     * Writes the decision {@code prepared} (pending in {@code metadata}); once durable, answers {@code decided} with
     * NONE and the producer id and epoch the producer goes on with, then writes the markers and the completion.
     */
    void decide(TransactionMetadata metadata, TransactionLogEntry prepared, Consumer<ProducerIdAndEpoch> decided) {
        stateLog.write(prepared, error -> {
            metadata.settle(prepared, error);
            if (error != Errors.NONE) {
                decided.accept(ProducerIdAndEpoch.failed(error));
                written.accept(metadata);
                return;
            }
            decided.accept(nextProducer(prepared));
            written.accept(metadata);
            run(() -> writeMarkers(metadata, prepared, prepared.partitions(), FIRST_RETRY_MS));
        });
    }

    /** Finishes a decision found in the log at start-up, or when this node became the id's coordinator. */
    void resume(TransactionMetadata metadata) {
        TransactionLogEntry prepared;
        synchronized (metadata) {
            prepared = metadata.current();
        }
        log.info(
                "Completing {} of transactional id {} found in the log at its load ({} partitions)",
                prepared.state().kafkaName(),
                prepared.transactionalId(),
                prepared.partitions().size());
        run(() -> writeMarkers(metadata, prepared, prepared.partitions(), FIRST_RETRY_MS));
    }

    /** The producer id and epoch after the transaction: a rotated id starts at epoch 0. */
    static ProducerIdAndEpoch nextProducer(TransactionLogEntry prepared) {
        return prepared.nextProducerId() >= 0
                ? ProducerIdAndEpoch.of(prepared.nextProducerId(), (short) 0)
                : ProducerIdAndEpoch.of(prepared.producerId(), prepared.producerEpoch());
    }

    private void writeMarkers(
            TransactionMetadata metadata, TransactionLogEntry prepared, Set<TopicPartition> left, long retryMs) {
        boolean commit = prepared.state() == TransactionState.PREPARE_COMMIT;
        int epoch = coordinatorEpoch.applyAsInt(metadata);
        if (epoch < 0) {
            resigned(prepared);
            return;
        }
        markers.write(
                prepared.producerId(),
                prepared.producerEpoch(),
                commit,
                prepared.clientTransactionVersion(),
                epoch,
                left,
                failed -> {
                    Set<TopicPartition> again = new HashSet<>();
                    failed.forEach((tp, error) -> {
                        if (error == Errors.UNKNOWN_TOPIC_OR_PARTITION) {
                            return; // the partition is gone, and its transaction's records with it
                        }
                        // a log unavailable here, or a leader elsewhere unreachable or moving: write it again
                        if (error.exception() instanceof RetriableException) {
                            again.add(tp);
                        } else {
                            // the log refuses this marker for good (say, a newer epoch of the producer wrote there):
                            // writing it again would fail the same way forever
                            log.error(
                                    "{} refused the {} marker of transactional id {}: {}; not writing it again",
                                    tp,
                                    commit ? "COMMIT" : "ABORT",
                                    prepared.transactionalId(),
                                    error);
                        }
                    });
                    if (again.isEmpty()) {
                        run(() -> writeCompletion(metadata, prepared, retryMs));
                    } else {
                        log.warn(
                                "Could not write {} markers of transactional id {} to {}; trying again in {} ms",
                                commit ? "COMMIT" : "ABORT",
                                prepared.transactionalId(),
                                again,
                                retryMs);
                        retry(() -> writeMarkers(metadata, prepared, again, nextRetry(retryMs)), retryMs);
                    }
                });
    }

    private void writeCompletion(TransactionMetadata metadata, TransactionLogEntry prepared, long retryMs) {
        TransactionLogEntry completed;
        if (coordinatorEpoch.applyAsInt(metadata) < 0) {
            resigned(prepared);
            return;
        }
        synchronized (metadata) {
            if (metadata.state != prepared.state() || metadata.hasPending()) {
                log.error("{} changed while its markers were written; not completing it", metadata);
                return;
            }
            ProducerIdAndEpoch next = nextProducer(prepared);
            completed = metadata.prepare(EntryBuilder.from(prepared)
                    .state(
                            prepared.state() == TransactionState.PREPARE_COMMIT
                                    ? TransactionState.COMPLETE_COMMIT
                                    : TransactionState.COMPLETE_ABORT)
                    .producer(next.producerId(), next.producerEpoch())
                    .previousProducerId(
                            prepared.nextProducerId() >= 0 ? prepared.producerId() : prepared.previousProducerId())
                    .nextProducerId(-1)
                    .partitions(Set.of())
                    .startMs(-1)
                    .at(clockMs.getAsLong()));
        }
        stateLog.write(completed, error -> {
            metadata.settle(completed, error);
            written.accept(metadata);
            if (error != Errors.NONE) {
                log.warn(
                        "Could not write the completion of transactional id {}: {}; trying again in {} ms",
                        prepared.transactionalId(),
                        error,
                        retryMs);
                retry(() -> writeCompletion(metadata, prepared, nextRetry(retryMs)), retryMs);
            }
        });
    }

    private static void resigned(TransactionLogEntry prepared) {
        log.info(
                "No longer the coordinator of transactional id {}: the new coordinator completes its {}",
                prepared.transactionalId(),
                prepared.state().kafkaName());
    }

    /** Runs {@code task} on the coordinator's thread; after a close nothing runs (the log resumes it at start-up). */
    private void run(Runnable task) {
        retry(task, 0);
    }

    private void retry(Runnable task, long delayMs) {
        try {
            scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Coordinator closed; the next start-up finishes the transaction");
        }
    }

    private static long nextRetry(long retryMs) {
        return Math.min(MAX_RETRY_MS, retryMs * 2);
    }
}
