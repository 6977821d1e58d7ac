package io.piste.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.CoordinatorPartitions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster node's transaction coordinator: it coordinates the ids of the partitions of {@code __transaction_state}
 * it leads, once loaded, drops them when it stops leading, and writes markers at the partition's leader epoch.
 */
class TransactionCoordinatorLeadershipTest {

    private static final TopicPartition A = new TopicPartition("a", 0);
    private static final int PARTITIONS = 4;

    private final FakeTransactionLog log = new FakeTransactionLog();
    private final FakeMarkers markers = new FakeMarkers();
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final AtomicLong nextProducerId = new AtomicLong(1000);
    private final CoordinatorPartitions partitions = CoordinatorPartitions.byLeadership();
    private TransactionCoordinator coordinator;

    @BeforeEach
    void start() {
        log.partitionCount = PARTITIONS;
        coordinator = new TransactionCoordinator(
                TransactionConfig.KAFKA_DEFAULTS,
                log,
                nextProducerId::getAndIncrement,
                markers,
                clock::get,
                partitions);
        coordinator.start();
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private ProducerIdAndEpoch init(String id) throws Exception {
        CompletableFuture<ProducerIdAndEpoch> result = new CompletableFuture<>();
        coordinator.initProducerId(id, 60_000, -1, (short) -1, result::complete);
        return result.get(5, TimeUnit.SECONDS);
    }

    private Errors add(String id, ProducerIdAndEpoch producer) throws Exception {
        CompletableFuture<Errors> result = new CompletableFuture<>();
        coordinator.addPartitions(
                id, producer.producerId(), producer.producerEpoch(), Set.of(A), false, result::complete);
        return result.get(5, TimeUnit.SECONDS);
    }

    private ProducerIdAndEpoch end(String id, ProducerIdAndEpoch producer, boolean commit) throws Exception {
        CompletableFuture<ProducerIdAndEpoch> result = new CompletableFuture<>();
        coordinator.endTransaction(
                id, producer.producerId(), producer.producerEpoch(), commit, false, result::complete);
        return result.get(5, TimeUnit.SECONDS);
    }

    private TransactionState state(String id) {
        return coordinator.views(id::equals).stream()
                .findFirst()
                .map(TransactionView::state)
                .orElse(null);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private void lead(String id, int leaderEpoch) throws Exception {
        int partition = log.partitionOf(id);
        partitions.lead(partition, leaderEpoch);
        coordinator.loadPartition(partition, leaderEpoch);
    }

    @Test
    void shouldAnswerNotCoordinatorForAnIdOfAPartitionLedElsewhere() throws Exception {
        assertThat(init("t").error()).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(coordinator.coordination("t")).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void shouldAnswerLoadInProgressFromLeadershipUntilThePartitionIsLoaded() throws Exception {
        int partition = log.partitionOf("t");
        partitions.lead(partition, 3);

        assertThat(init("t").error()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);

        coordinator.loadPartition(partition, 3);
        assertThat(init("t").error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldLoadThePartitionsIdsOnLeadershipAndDropThemOnResignation() throws Exception {
        lead("t", 1);
        ProducerIdAndEpoch producer = init("t");
        assertThat(add("t", producer)).isEqualTo(Errors.NONE);
        assertThat(state("t")).isEqualTo(TransactionState.ONGOING);

        partitions.resign(log.partitionOf("t"));
        coordinator.unloadPartition(log.partitionOf("t"));
        assertThat(state("t")).as("dropped from memory").isNull();
        assertThat(add("t", producer)).isEqualTo(Errors.NOT_COORDINATOR);

        // leading again: the state comes back from the log, not from memory
        lead("t", 2);
        assertThat(state("t")).isEqualTo(TransactionState.ONGOING);
        assertThat(end("t", producer, true).error()).isEqualTo(Errors.NONE);
        await(() -> state("t") == TransactionState.COMPLETE_COMMIT);
    }

    @Test
    void shouldWriteMarkersAtThePartitionsLeaderEpoch() throws Exception {
        lead("t", 7);
        ProducerIdAndEpoch producer = init("t");
        assertThat(add("t", producer)).isEqualTo(Errors.NONE);
        assertThat(end("t", producer, false).error()).isEqualTo(Errors.NONE);
        await(() -> state("t") == TransactionState.COMPLETE_ABORT);

        assertThat(markers.written).hasSize(1);
        assertThat(markers.written.get(0).coordinatorEpoch()).isEqualTo(7);
    }

    @Test
    void shouldResumeADecidedTransactionAtTheNewLeaderEpochWhenItLoadsThePartition() throws Exception {
        lead("t", 1);
        ProducerIdAndEpoch producer = init("t");
        assertThat(add("t", producer)).isEqualTo(Errors.NONE);
        markers.holding = true; // the decision is durable, its markers are not: the old leader dies here
        assertThat(end("t", producer, true).error()).isEqualTo(Errors.NONE);
        await(() -> markers.written.size() == 1);
        int partition = log.partitionOf("t");
        partitions.resign(partition);
        coordinator.unloadPartition(partition);
        markers.release(); // the old coordinator's marker completes late: it must not complete the transaction
        assertThat(log.last("t").state()).isEqualTo(TransactionState.PREPARE_COMMIT);

        lead("t", 2);

        await(() -> state("t") == TransactionState.COMPLETE_COMMIT);
        assertThat(markers.written).hasSize(2);
        assertThat(markers.written.get(0).coordinatorEpoch()).isEqualTo(1);
        assertThat(markers.written.get(1).coordinatorEpoch())
                .as("the new coordinator's markers")
                .isEqualTo(2);
        assertThat(markers.written.get(1).commit()).isTrue();
    }

    @Test
    void shouldKeepNothingOfALoadWhoseLeadershipMovedMeanwhile() throws Exception {
        lead("t", 1);
        assertThat(init("t").error()).isEqualTo(Errors.NONE);
        int partition = log.partitionOf("t");
        partitions.resign(partition);
        coordinator.unloadPartition(partition);

        coordinator.loadPartition(partition, 1); // a stale load, run after the resignation

        assertThat(state("t")).isNull();
        assertThat(coordinator.coordination("t")).isEqualTo(Errors.NOT_COORDINATOR);
    }
}
