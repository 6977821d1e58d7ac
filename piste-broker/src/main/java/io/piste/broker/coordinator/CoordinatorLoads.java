package io.piste.broker.coordinator;

import io.piste.broker.group.GroupOffsets;
import io.piste.broker.group.OffsetsTopic;
import io.piste.broker.partition.CoordinatorPartitions;
import io.piste.broker.replication.LeadershipListener;
import io.piste.broker.txn.TransactionCoordinator;
import io.piste.broker.txn.TransactionStateTopic;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster node's coordinators following the leadership of their partitions (Kafka's GroupCoordinator and
 * TransactionCoordinator {@code onElection}/{@code onResignation}): told by the replica manager on the metadata
 * applying thread, it records the change at once in the {@link CoordinatorPartitions} (requests for the partition's
 * keys get COORDINATOR_LOAD_IN_PROGRESS, or NOT_COORDINATOR after a resignation), then loads or drops the partition's
 * state on a thread of its own, in the order told, so that a slow load never holds up metadata. Thread-safe.
 */
public final class CoordinatorLoads implements LeadershipListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorLoads.class);

    /** The topics whose leadership moves the coordinators. */
    public static final Set<String> TOPICS = Set.of(OffsetsTopic.NAME, TransactionStateTopic.NAME);

    private final GroupLoad groups;
    private final CoordinatorPartitions groupPartitions;
    private final TransactionCoordinator transactions;
    private final CoordinatorPartitions transactionPartitions;
    private final ExecutorService loader;
    private volatile boolean closed;

    /**
     * @param groupOffsets the offsets, whose {@link GroupOffsets#partitions} say which groups are coordinated here
     * @param transactionPartitions the partitions the transaction coordinator was made with
     */
    public CoordinatorLoads(
            GroupLoad groups,
            GroupOffsets groupOffsets,
            TransactionCoordinator transactions,
            CoordinatorPartitions transactionPartitions) {
        this.groups = groups;
        this.groupPartitions = groupOffsets.partitions();
        this.transactions = transactions;
        this.transactionPartitions = transactionPartitions;
        this.loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "piste-coordinator-loader");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void becameLeader(String topic, int partition, int leaderEpoch) {
        if (topic.equals(OffsetsTopic.NAME)) {
            groupPartitions.lead(partition, leaderEpoch);
            submit(() -> loadGroups(partition, leaderEpoch));
        } else if (topic.equals(TransactionStateTopic.NAME)) {
            transactionPartitions.lead(partition, leaderEpoch);
            submit(() -> loadTransactions(partition, leaderEpoch));
        }
    }

    @Override
    public void stoppedLeading(String topic, int partition) {
        if (topic.equals(OffsetsTopic.NAME)) {
            groupPartitions.resign(partition);
            submit(() -> {
                if (groupPartitions.leaderEpoch(partition) < 0) {
                    int dropped = groups.unload(partition);
                    LOG.info("No longer coordinating {}-{}: dropped {} groups", topic, partition, dropped);
                }
            });
        } else if (topic.equals(TransactionStateTopic.NAME)) {
            transactionPartitions.resign(partition);
            submit(() -> {
                if (transactionPartitions.leaderEpoch(partition) < 0) {
                    transactions.unloadPartition(partition);
                }
            });
        }
    }

    private void loadGroups(int partition, int leaderEpoch) {
        if (groupPartitions.leaderEpoch(partition) != leaderEpoch) {
            return; // moved on since: a later task loads or drops it
        }
        try {
            groups.load(partition);
        } catch (IOException | RuntimeException e) {
            // its groups stay COORDINATOR_LOAD_IN_PROGRESS until the next leadership; clients retry meanwhile
            LOG.error("Could not load {}-{} at leader epoch {}", OffsetsTopic.NAME, partition, leaderEpoch, e);
            return;
        }
        if (!groupPartitions.loaded(partition, leaderEpoch)) {
            groups.unload(partition);
        }
    }

    private void loadTransactions(int partition, int leaderEpoch) {
        if (transactionPartitions.leaderEpoch(partition) != leaderEpoch) {
            return;
        }
        try {
            transactions.loadPartition(partition, leaderEpoch);
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not load {}-{} at leader epoch {}", TransactionStateTopic.NAME, partition, leaderEpoch, e);
        }
    }

    private void submit(Runnable task) {
        try {
            loader.execute(() -> {
                if (!closed) {
                    task.run();
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Closed: a leadership change is not acted on");
        }
    }

    @Override
    public void close() {
        // The load under way finishes, the queued ones are skipped; no interrupt, which would close the file channel
        // the load reads from and take the partition offline.
        closed = true;
        loader.shutdown();
        try {
            if (!loader.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("The coordinator loader did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
