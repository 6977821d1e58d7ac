package io.piste.broker.txn;

import io.piste.broker.partition.CoordinatorPartitions;
import io.piste.broker.txn.TransactionMetadata.ImplicitAdd;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's transaction coordinator on one node: every transactional id's state, kept in {@code __transaction_state}
 * through a {@link TransactionLog} and written there before any answer depends on it. Serves InitProducerId with a
 * transactional id, AddPartitionsToTxn (and its implicit form of protocol v2), EndTxn, the partition checks of a
 * transactional produce and of TxnOffsetCommit, and the admin views. Transactions are ended by
 * {@link TransactionEnd}; {@link TransactionTimeouts} aborts the expired ones and forgets idle ids. Thread-safe: each
 * id's state is changed under its own monitor, never while waiting for a disk.
 *
 * <p>A single node coordinates every id from its start-up {@link #load}. A cluster node coordinates the ids of the
 * partitions of {@code __transaction_state} it leads ({@link CoordinatorPartitions}): {@link #loadPartition} when it
 * becomes a partition's leader (ids of that partition get COORDINATOR_LOAD_IN_PROGRESS until then),
 * {@link #unloadPartition} when it stops (NOT_COORDINATOR). The partition's leader epoch is the coordinator epoch its
 * markers carry.
 */
public final class TransactionCoordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TransactionCoordinator.class);

    private final TransactionConfig config;
    private final TransactionLog stateLog;
    private final ProducerIds producerIds;
    private final LongSupplier clockMs;
    private final ScheduledExecutorService scheduler;
    private final TransactionEnd ends;
    private final ImplicitAdds implicitAdds;
    private final Map<String, TransactionMetadata> transactions = new ConcurrentHashMap<>();
    private final CoordinatorPartitions partitions;
    private volatile boolean loaded;

    /** A single node's coordinator: every transactional id is its own. */
    public TransactionCoordinator(
            TransactionConfig config,
            TransactionLog stateLog,
            ProducerIds producerIds,
            MarkerWriter markers,
            LongSupplier clockMs) {
        this(config, stateLog, producerIds, markers, clockMs, CoordinatorPartitions.everyPartition());
    }

    /** @param partitions the partitions of {@code __transaction_state} this node coordinates */
    public TransactionCoordinator(
            TransactionConfig config,
            TransactionLog stateLog,
            ProducerIds producerIds,
            MarkerWriter markers,
            LongSupplier clockMs,
            CoordinatorPartitions partitions) {
        this.partitions = partitions;
        this.config = config;
        this.stateLog = stateLog;
        this.producerIds = producerIds;
        this.clockMs = clockMs;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "piste-txn-coordinator");
            thread.setDaemon(true);
            return thread;
        });
        this.implicitAdds = new ImplicitAdds(stateLog, scheduler, clockMs);
        this.ends = new TransactionEnd(
                stateLog,
                markers,
                producerIds,
                scheduler,
                clockMs,
                implicitAdds::changeWritten,
                this::coordinatorEpoch);
    }

    /**
     * Replays {@code __transaction_state}, finishes the decisions it finds half done (markers not all written), and
     * starts the timeouts. Until this returns, requests get COORDINATOR_LOAD_IN_PROGRESS.
     */
    public void load() throws IOException {
        Map<String, TransactionLogEntry> entries = stateLog.load();
        int resumed = restore(entries);
        start();
        if (!entries.isEmpty()) {
            log.info("Loaded {} transactional ids; completing {} decided transactions", entries.size(), resumed);
        }
    }

    /** Puts the loaded ids' metadata in place and resumes their decided transactions; returns how many. */
    private int restore(Map<String, TransactionLogEntry> entries) {
        int resumed = 0;
        for (TransactionLogEntry entry : entries.values()) {
            TransactionMetadata metadata = TransactionMetadata.of(entry);
            transactions.put(entry.transactionalId(), metadata);
            if (entry.state() == TransactionState.PREPARE_COMMIT || entry.state() == TransactionState.PREPARE_ABORT) {
                ends.resume(metadata);
                resumed++;
            }
        }
        return resumed;
    }

    /**
     * Starts the timeouts of a cluster node's coordinator, whose ids come with the leadership of their partitions
     * ({@link #loadPartition}) rather than from a load of the whole log.
     */
    public void start() {
        TransactionTimeouts timeouts = new TransactionTimeouts(this, config, clockMs);
        scheduler.scheduleWithFixedDelay(
                timeouts::abortTimedOut,
                config.abortTimedOutIntervalMs(),
                config.abortTimedOutIntervalMs(),
                TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(
                timeouts::expireIdle,
                config.removeExpiredIntervalMs(),
                config.removeExpiredIntervalMs(),
                TimeUnit.MILLISECONDS);
        loaded = true;
    }

    /**
     * Loads the ids of {@code partition} of {@code __transaction_state}, which this node leads at {@code leaderEpoch}
     * (called on a loading thread, never the metadata applying one): any state of them left from an earlier
     * leadership is dropped, the partition replayed from this node's replica, the decided transactions resumed with
     * their markers at coordinator epoch {@code leaderEpoch}. Nothing is kept if the leadership moved meanwhile.
     */
    public void loadPartition(int partition, int leaderEpoch) throws IOException {
        dropIds(partition);
        Map<String, TransactionLogEntry> entries = stateLog.load(partition);
        Map<String, TransactionMetadata> restored = new HashMap<>();
        for (TransactionLogEntry entry : entries.values()) {
            TransactionMetadata metadata = TransactionMetadata.of(entry);
            restored.put(entry.transactionalId(), metadata);
            transactions.put(entry.transactionalId(), metadata);
        }
        if (!partitions.loaded(partition, leaderEpoch)) {
            dropIds(partition);
            return;
        }
        int resumed = 0;
        for (TransactionMetadata metadata : restored.values()) {
            if (metadata.state == TransactionState.PREPARE_COMMIT || metadata.state == TransactionState.PREPARE_ABORT) {
                ends.resume(metadata);
                resumed++;
            }
        }
        log.info(
                "Coordinating the {} transactional ids of partition {} at coordinator epoch {}; completing {} decided "
                        + "transactions",
                entries.size(),
                partition,
                leaderEpoch,
                resumed);
    }

    /** Drops the ids of {@code partition}, led elsewhere now: a later leadership loads them again from the log. */
    public void unloadPartition(int partition) {
        int dropped = dropIds(partition);
        log.info("No longer coordinating partition {} of __transaction_state: dropped {} ids", partition, dropped);
    }

    private int dropIds(int partition) {
        int dropped = 0;
        for (TransactionMetadata metadata : all()) {
            if (stateLog.partitionOf(metadata.transactionalId) == partition
                    && transactions.remove(metadata.transactionalId, metadata)) {
                dropped++;
            }
        }
        return dropped;
    }

    /** Whether the coordinator has started (a single node: loaded the whole log). */
    public boolean isLoaded() {
        return loaded;
    }

    /**
     * NONE if this node coordinates {@code transactionalId} now; COORDINATOR_LOAD_IN_PROGRESS while it loads (or
     * starts); NOT_COORDINATOR if another node leads the id's partition of {@code __transaction_state}.
     */
    public Errors coordination(String transactionalId) {
        if (!loaded) {
            return Errors.COORDINATOR_LOAD_IN_PROGRESS;
        }
        return transactionalId == null ? Errors.NONE : partitions.state(stateLog.partitionOf(transactionalId));
    }

    /** The coordinator epoch of the id's markers, or -1 if {@code metadata} is no longer coordinated here. */
    int coordinatorEpoch(TransactionMetadata metadata) {
        if (transactions.get(metadata.transactionalId) != metadata) {
            return -1;
        }
        return partitions.coordinatorEpoch(stateLog.partitionOf(metadata.transactionalId));
    }

    public TransactionConfig config() {
        return config;
    }

    /**
     * InitProducerId with a transactional id: a new epoch (or, once the epoch is used up, a new producer id), which
     * fences every older producer of the id. An ongoing transaction is aborted first (the answer is then
     * CONCURRENT_TRANSACTIONS and the producer asks again). {@code expectedProducerId}/{@code expectedEpoch} (-1 if
     * not given) are KIP-360's: the producer's current id and epoch, recovering from an error.
     */
    public void initProducerId(
            String transactionalId,
            int timeoutMs,
            long expectedProducerId,
            short expectedEpoch,
            Consumer<ProducerIdAndEpoch> done) {
        if (transactionalId.isEmpty()) {
            done.accept(ProducerIdAndEpoch.failed(Errors.INVALID_REQUEST));
            return;
        }
        Errors coordination = coordination(transactionalId);
        if (coordination != Errors.NONE) {
            done.accept(ProducerIdAndEpoch.failed(coordination));
            return;
        }
        if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
            done.accept(ProducerIdAndEpoch.failed(Errors.INVALID_TRANSACTION_TIMEOUT));
            return;
        }
        TransactionMetadata metadata;
        TransactionLogEntry change;
        try {
            metadata = metadataOrNew(transactionalId, timeoutMs);
            synchronized (metadata) {
                Errors refused = InitChecks.refusal(metadata, expectedProducerId, expectedEpoch);
                if (refused != Errors.NONE) {
                    done.accept(ProducerIdAndEpoch.failed(refused));
                    return;
                }
                if (metadata.state == TransactionState.ONGOING) {
                    // Kafka's fencing: the old producer's transaction is aborted at a higher epoch; the new producer
                    // retries on CONCURRENT_TRANSACTIONS until that is done
                    ends.decide(metadata, ends.prepare(metadata, false, metadata.isV2(), true), ignored -> {});
                    done.accept(ProducerIdAndEpoch.failed(Errors.CONCURRENT_TRANSACTIONS));
                    return;
                }
                if (InitChecks.isRetry(metadata, expectedProducerId, expectedEpoch)) {
                    done.accept(ProducerIdAndEpoch.of(metadata.producerId, metadata.producerEpoch));
                    return;
                }
                change = metadata.prepare(InitChecks.bump(metadata, timeoutMs, producerIds)
                        .state(TransactionState.EMPTY)
                        .partitions(Set.of())
                        .startMs(-1)
                        .timeoutMs(timeoutMs)
                        .at(clockMs.getAsLong()));
            }
        } catch (IOException e) {
            log.warn("Could not hand out a producer id for transactional id {}: {}", transactionalId, e.toString());
            done.accept(ProducerIdAndEpoch.failed(Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        write(
                metadata,
                change,
                error -> done.accept(
                        error == Errors.NONE
                                ? ProducerIdAndEpoch.of(change.producerId(), change.producerEpoch())
                                : ProducerIdAndEpoch.failed(error)));
    }

    private TransactionMetadata metadataOrNew(String transactionalId, int timeoutMs) throws IOException {
        TransactionMetadata metadata = transactions.get(transactionalId);
        if (metadata != null && metadata.state != TransactionState.DEAD) {
            return metadata;
        }
        TransactionMetadata created = new TransactionMetadata(
                transactionalId, producerIds.next(), (short) -1, timeoutMs, clockMs.getAsLong());
        if (metadata == null) {
            metadata = transactions.putIfAbsent(transactionalId, created);
        } else {
            metadata =
                    transactions.replace(transactionalId, metadata, created) ? null : transactions.get(transactionalId);
        }
        return metadata == null ? created : metadata;
    }

    /**
     * AddPartitionsToTxn (and AddOffsetsToTxn, with the group's offsets partition): adds {@code partitions} to the
     * producer's transaction, starting it if none is ongoing, and calls {@code done} once that is durable.
     *
     * @param implicit the add of protocol v2, made by the broker for a produce or an offset commit (KIP-890):
     *     queued behind the producer's earlier ones ({@link ImplicitAdds}); {@code done} then runs on the
     *     coordinator's thread
     */
    public void addPartitions(
            String transactionalId,
            long producerId,
            short producerEpoch,
            Set<TopicPartition> partitions,
            boolean implicit,
            Consumer<Errors> done) {
        TransactionMetadata metadata = loadedMetadata(transactionalId, done);
        if (metadata == null) {
            return;
        }
        if (implicit) {
            implicitAdds.add(metadata, new ImplicitAdd(producerId, producerEpoch, partitions, done));
            return;
        }
        TransactionLogEntry change;
        synchronized (metadata) {
            Errors refused = AddChecks.refusal(metadata, producerId, producerEpoch);
            if (refused == Errors.NONE && metadata.hasPending()) {
                refused = Errors.CONCURRENT_TRANSACTIONS;
            }
            if (refused != Errors.NONE || AddChecks.includesAll(metadata, partitions)) {
                done.accept(refused);
                return;
            }
            change = metadata.prepare(AddChecks.change(metadata, partitions, false, clockMs.getAsLong()));
        }
        write(metadata, change, done);
    }

    /** Whether {@code partitions} are all in the producer's ongoing transaction (protocol v2's produce asks first). */
    public boolean includes(
            String transactionalId, long producerId, short producerEpoch, Set<TopicPartition> partitions) {
        TransactionMetadata metadata = transactions.get(transactionalId);
        if (metadata == null) {
            return false;
        }
        synchronized (metadata) {
            return metadata.producerId == producerId
                    && metadata.producerEpoch == producerEpoch
                    && metadata.implicitAdds.isEmpty()
                    && AddChecks.includesAll(metadata, partitions);
        }
    }

    /**
     * KIP-890's check of a transactional write: NONE if {@code partition} is in the producer's ongoing transaction,
     * after running {@code append} under the id's monitor, so that no decision (and so no marker) can come between
     * the check and the append and leave the data after its marker (a hanging transaction). Otherwise the error and
     * {@code append} does not run.
     */
    public Errors appendInTransaction(
            String transactionalId, long producerId, short producerEpoch, TopicPartition partition, Runnable append) {
        Errors coordination = coordination(transactionalId);
        if (coordination != Errors.NONE) {
            return coordination;
        }
        TransactionMetadata metadata = transactions.get(transactionalId);
        if (metadata == null) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        synchronized (metadata) {
            Errors refused = AddChecks.partitionError(metadata, producerId, producerEpoch, partition);
            if (refused == Errors.NONE) {
                append.run();
            }
            return refused;
        }
    }

    /** The check of {@link #appendInTransaction} alone: AddPartitionsToTxn's verify-only form, TxnOffsetCommit. */
    public Errors verify(String transactionalId, long producerId, short producerEpoch, TopicPartition partition) {
        return appendInTransaction(transactionalId, producerId, producerEpoch, partition, () -> {});
    }

    /**
     * EndTxn: decides the producer's transaction. {@code done} gets NONE once the decision is durable (the markers
     * follow), with the producer id and epoch for the next transaction (protocol v2 bumps the epoch at each end).
     *
     * @param v2 the request is EndTxn v5 or later (KIP-890's protocol v2)
     */
    public void endTransaction(
            String transactionalId,
            long producerId,
            short producerEpoch,
            boolean commit,
            boolean v2,
            Consumer<ProducerIdAndEpoch> done) {
        TransactionMetadata metadata =
                loadedMetadata(transactionalId, error -> done.accept(ProducerIdAndEpoch.failed(error)));
        if (metadata == null) {
            return;
        }
        TransactionLogEntry prepared;
        try {
            synchronized (metadata) {
                EndChecks.Outcome outcome = EndChecks.outcome(metadata, producerId, producerEpoch, commit, v2);
                if (outcome.answer() != null) {
                    done.accept(outcome.answer());
                    return;
                }
                prepared = ends.prepare(metadata, commit, v2, false);
            }
        } catch (IOException e) {
            log.warn("Could not hand out a producer id for transactional id {}: {}", transactionalId, e.toString());
            done.accept(ProducerIdAndEpoch.failed(Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        ends.decide(metadata, prepared, done);
    }

    /**
     * Aborts {@code metadata}'s transaction at a bumped epoch if it is ongoing and past its timeout; holds nothing
     * when called.
     */
    void abortOnTimeout(TransactionMetadata metadata) {
        TransactionLogEntry prepared;
        synchronized (metadata) {
            long now = clockMs.getAsLong();
            if (metadata.state != TransactionState.ONGOING
                    || metadata.hasPending()
                    || metadata.startMs + metadata.timeoutMs > now) {
                return;
            }
            log.info(
                    "Aborting the transaction of transactional id {} (producer {} epoch {}): past its {} ms timeout",
                    metadata.transactionalId,
                    metadata.producerId,
                    metadata.producerEpoch,
                    metadata.timeoutMs);
            try {
                prepared = ends.prepare(metadata, false, metadata.isV2(), true);
            } catch (IOException e) {
                log.warn("Could not abort the transaction of {}: {}", metadata.transactionalId, e.toString());
                return;
            }
        }
        ends.decide(metadata, prepared, ignored -> {});
    }

    /** Forgets an idle id (its tombstone written first); holds nothing when called. */
    void expire(TransactionMetadata metadata, long idleSinceMs) {
        TransactionLogEntry dead;
        synchronized (metadata) {
            if (metadata.hasPending()
                    || !metadata.implicitAdds.isEmpty()
                    || metadata.lastUpdateMs > idleSinceMs
                    || !isIdle(metadata.state)) {
                return;
            }
            dead = metadata.prepare(EntryBuilder.from(metadata.current())
                    .state(TransactionState.DEAD)
                    .at(clockMs.getAsLong()));
        }
        stateLog.remove(metadata.transactionalId, error -> {
            synchronized (metadata) {
                if (error == Errors.NONE) {
                    metadata.complete(dead);
                    transactions.remove(metadata.transactionalId, metadata);
                } else {
                    metadata.abandon(dead);
                }
            }
            implicitAdds.changeWritten(metadata);
        });
    }

    static boolean isIdle(TransactionState state) {
        return state == TransactionState.EMPTY
                || state == TransactionState.COMPLETE_COMMIT
                || state == TransactionState.COMPLETE_ABORT;
    }

    /** Every id's metadata, for the periodic scans. */
    Iterable<TransactionMetadata> all() {
        return new ArrayList<>(transactions.values());
    }

    /** Consistent views of the ids {@code filter} accepts, for DescribeTransactions and ListTransactions. */
    public List<TransactionView> views(Predicate<String> filter) {
        List<TransactionView> views = new ArrayList<>();
        for (TransactionMetadata metadata : all()) {
            if (filter.test(metadata.transactionalId)) {
                synchronized (metadata) {
                    if (metadata.state != TransactionState.DEAD) {
                        views.add(new TransactionView(
                                metadata.transactionalId,
                                metadata.state,
                                metadata.producerId,
                                metadata.producerEpoch,
                                metadata.timeoutMs,
                                metadata.startMs,
                                new HashSet<>(metadata.partitions)));
                    }
                }
            }
        }
        return views;
    }

    private TransactionMetadata loadedMetadata(String transactionalId, Consumer<Errors> refused) {
        Errors coordination = coordination(transactionalId);
        if (coordination != Errors.NONE) {
            refused.accept(coordination);
            return null;
        }
        TransactionMetadata metadata = transactionalId == null ? null : transactions.get(transactionalId);
        if (metadata == null) {
            refused.accept(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        return metadata;
    }

    /** Writes {@code change} (pending in {@code metadata}); applies it once durable, drops it on failure. */
    private void write(TransactionMetadata metadata, TransactionLogEntry change, Consumer<Errors> done) {
        stateLog.write(change, error -> {
            metadata.settle(change, error);
            done.accept(error);
            implicitAdds.changeWritten(metadata);
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("The transaction coordinator's thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
