package io.piste.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionCoordinatorTest {

    private static final TopicPartition A = new TopicPartition("a", 0);
    private static final TopicPartition B = new TopicPartition("b", 1);

    private final FakeTransactionLog log = new FakeTransactionLog();
    private final FakeMarkers markers = new FakeMarkers();
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final AtomicLong nextProducerId = new AtomicLong(1000);
    private TransactionCoordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        coordinator = newCoordinator();
        coordinator.load();
    }

    private TransactionCoordinator newCoordinator() {
        return new TransactionCoordinator(
                TransactionConfig.KAFKA_DEFAULTS, log, nextProducerId::getAndIncrement, markers, clock::get);
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private ProducerIdAndEpoch init(String id, long expectedProducerId, short expectedEpoch) throws Exception {
        CompletableFuture<ProducerIdAndEpoch> result = new CompletableFuture<>();
        coordinator.initProducerId(id, 60_000, expectedProducerId, expectedEpoch, result::complete);
        return result.get(5, TimeUnit.SECONDS);
    }

    private ProducerIdAndEpoch init(String id) throws Exception {
        return init(id, -1, (short) -1);
    }

    private Errors add(String id, ProducerIdAndEpoch producer, Set<TopicPartition> partitions, boolean implicit)
            throws Exception {
        CompletableFuture<Errors> result = new CompletableFuture<>();
        coordinator.addPartitions(
                id, producer.producerId(), producer.producerEpoch(), partitions, implicit, result::complete);
        return result.get(5, TimeUnit.SECONDS);
    }

    private ProducerIdAndEpoch end(String id, long producerId, short epoch, boolean commit, boolean v2)
            throws Exception {
        CompletableFuture<ProducerIdAndEpoch> result = new CompletableFuture<>();
        coordinator.endTransaction(id, producerId, epoch, commit, v2, result::complete);
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

    @Test
    void initHandsOutANewIdThenBumpsTheEpochWhichFencesTheOldProducer() throws Exception {
        ProducerIdAndEpoch first = init("t");
        assertThat(first.error()).isEqualTo(Errors.NONE);
        assertThat(first.producerEpoch()).isZero();
        ProducerIdAndEpoch second = init("t");
        assertThat(second.producerId()).isEqualTo(first.producerId());
        assertThat(second.producerEpoch()).isEqualTo((short) 1);
        assertThat(add("t", first, Set.of(A), false)).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(log.last("t").state()).isEqualTo(TransactionState.EMPTY);
    }

    @Test
    void commitWritesTheDecisionThenMarkersAtTheSameEpochThenTheCompletion() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        assertThat(add("t", producer, Set.of(A), false)).isEqualTo(Errors.NONE);
        assertThat(add("t", producer, Set.of(B), false)).isEqualTo(Errors.NONE);
        assertThat(state("t")).isEqualTo(TransactionState.ONGOING);
        ProducerIdAndEpoch ended = end("t", producer.producerId(), producer.producerEpoch(), true, false);
        assertThat(ended.error()).isEqualTo(Errors.NONE);
        await(() -> state("t") == TransactionState.COMPLETE_COMMIT);
        assertThat(markers.written)
                .containsExactly(new FakeMarkers.Marker(
                        producer.producerId(), producer.producerEpoch(), true, (short) 0, 0, Set.of(A, B)));
        assertThat(log.written)
                .extracting(TransactionLogEntry::state)
                .containsSubsequence(
                        TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.COMPLETE_COMMIT);
        assertThat(log.last("t").partitions()).isEmpty();
        // a retry of the commit is answered as the first time; an abort now is refused
        assertThat(end("t", producer.producerId(), producer.producerEpoch(), true, false)
                        .error())
                .isEqualTo(Errors.NONE);
        assertThat(end("t", producer.producerId(), producer.producerEpoch(), false, false)
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void protocolV2BumpsTheEpochAtEachEndAndMarksWithIt() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        assertThat(add("t", producer, Set.of(A), true)).isEqualTo(Errors.NONE);
        ProducerIdAndEpoch next = end("t", producer.producerId(), producer.producerEpoch(), true, true);
        assertThat(next.error()).isEqualTo(Errors.NONE);
        assertThat(next.producerEpoch()).isEqualTo((short) (producer.producerEpoch() + 1));
        await(() -> state("t") == TransactionState.COMPLETE_COMMIT);
        assertThat(markers.written.get(0).epoch()).isEqualTo(next.producerEpoch());
        assertThat(markers.written.get(0).version()).isEqualTo((short) 2);
        // the retry of the end, with the epoch before, gets the same answer
        ProducerIdAndEpoch retried = end("t", producer.producerId(), producer.producerEpoch(), true, true);
        assertThat(retried).isEqualTo(next);
        // the next transaction at the new epoch
        assertThat(add("t", next, Set.of(B), true)).isEqualTo(Errors.NONE);
        assertThat(add("t", producer, Set.of(B), true)).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void aNewProducerOfTheIdAbortsTheOngoingTransactionAtAHigherEpoch() throws Exception {
        ProducerIdAndEpoch zombie = init("t");
        assertThat(add("t", zombie, Set.of(A), false)).isEqualTo(Errors.NONE);
        assertThat(init("t").error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        await(() -> state("t") == TransactionState.COMPLETE_ABORT);
        FakeMarkers.Marker abort = markers.written.get(0);
        assertThat(abort.commit()).isFalse();
        assertThat(abort.epoch()).isEqualTo((short) (zombie.producerEpoch() + 1));
        ProducerIdAndEpoch fresh = init("t");
        assertThat(fresh.producerEpoch()).isEqualTo((short) (zombie.producerEpoch() + 2));
        assertThat(end("t", zombie.producerId(), zombie.producerEpoch(), true, false)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void aWriteIsAppendedOnlyInsideTheTransactionOfItsPartition() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        long id = producer.producerId();
        short epoch = producer.producerEpoch();
        boolean[] appended = new boolean[1];
        assertThat(coordinator.appendInTransaction("t", id, epoch, A, () -> appended[0] = true))
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(appended[0]).isFalse();
        add("t", producer, Set.of(A), false);
        assertThat(coordinator.appendInTransaction("t", id, (short) (epoch - 1), A, () -> appended[0] = true))
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(coordinator.appendInTransaction("t", id + 1, epoch, A, () -> appended[0] = true))
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(coordinator.appendInTransaction("t", id, epoch, B, () -> appended[0] = true))
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(appended[0]).isFalse();
        assertThat(coordinator.appendInTransaction("t", id, epoch, A, () -> appended[0] = true))
                .isEqualTo(Errors.NONE);
        assertThat(appended[0]).isTrue();
        end("t", id, epoch, false, false);
        // once decided, a late write of the transaction can no longer land after its marker
        assertThat(coordinator.appendInTransaction("t", id, epoch, A, () -> {})).isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void aTransactionPastItsTimeoutIsAbortedAndItsProducerFenced() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        add("t", producer, Set.of(A), false);
        TransactionTimeouts timeouts =
                new TransactionTimeouts(coordinator, TransactionConfig.KAFKA_DEFAULTS, clock::get);
        timeouts.abortTimedOut();
        assertThat(state("t")).isEqualTo(TransactionState.ONGOING);
        clock.addAndGet(60_000);
        timeouts.abortTimedOut();
        await(() -> state("t") == TransactionState.COMPLETE_ABORT);
        assertThat(markers.written.get(0).commit()).isFalse();
        assertThat(end("t", producer.producerId(), producer.producerEpoch(), true, false)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void aDecisionFoundAtStartUpIsCompleted() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        add("t", producer, Set.of(A, B), false);
        coordinator.close();
        // the state a crash between the decision and the markers leaves
        TransactionLogEntry ongoing = log.last("t");
        log.stored.put(
                "t",
                EntryBuilder.from(ongoing)
                        .state(TransactionState.PREPARE_COMMIT)
                        .at(clock.get()));
        coordinator = newCoordinator();
        coordinator.load();
        await(() -> state("t") == TransactionState.COMPLETE_COMMIT);
        assertThat(markers.written)
                .containsExactly(new FakeMarkers.Marker(
                        producer.producerId(), producer.producerEpoch(), true, (short) 0, 0, Set.of(A, B)));
    }

    @Test
    void failedMarkersAreWrittenAgainUntilTheyLand() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        add("t", producer, Set.of(A), false);
        markers.failures.set(2);
        end("t", producer.producerId(), producer.producerEpoch(), false, false);
        await(() -> state("t") == TransactionState.COMPLETE_ABORT);
        assertThat(markers.written).hasSize(1);
        assertThat(markers.failures.get()).isNegative();
    }

    @Test
    void badRequestsGetKafkasErrors() throws Exception {
        CompletableFuture<ProducerIdAndEpoch> tooLong = new CompletableFuture<>();
        coordinator.initProducerId("t", 900_001, -1, (short) -1, tooLong::complete);
        assertThat(tooLong.get().error()).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        CompletableFuture<ProducerIdAndEpoch> empty = new CompletableFuture<>();
        coordinator.initProducerId("", 1000, -1, (short) -1, empty::complete);
        assertThat(empty.get().error()).isEqualTo(Errors.INVALID_REQUEST);
        // a commit without InitProducerId
        assertThat(end("unknown", 1, (short) 0, true, false).error()).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        ProducerIdAndEpoch producer = init("t");
        // nothing to commit: v1 refuses, as Kafka
        assertThat(end("t", producer.producerId(), producer.producerEpoch(), true, false)
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(add(
                        "t",
                        new ProducerIdAndEpoch(Errors.NONE, producer.producerId() + 7, (short) 0),
                        Set.of(A),
                        false))
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
    }

    @Test
    void aFailedWriteChangesNothing() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        log.failing = Errors.COORDINATOR_NOT_AVAILABLE;
        assertThat(add("t", producer, Set.of(A), false)).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        log.failing = Errors.NONE;
        assertThat(state("t")).isEqualTo(TransactionState.EMPTY);
        assertThat(add("t", producer, Set.of(A), false)).isEqualTo(Errors.NONE);
    }

    @Test
    void anIdleIdIsForgottenAfterTheExpiration() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        TransactionTimeouts timeouts =
                new TransactionTimeouts(coordinator, TransactionConfig.KAFKA_DEFAULTS, clock::get);
        timeouts.expireIdle();
        assertThat(state("t")).isEqualTo(TransactionState.EMPTY);
        clock.addAndGet(TransactionConfig.KAFKA_DEFAULTS.idExpirationMs() + 1);
        timeouts.expireIdle();
        assertThat(state("t")).isNull();
        assertThat(log.last("t")).isNull();
        // the id starts over with a new producer id
        assertThat(init("t").producerId()).isNotEqualTo(producer.producerId());
    }

    @Test
    void kip360RecoveryKeepsAKnownProducerAndFencesAnOldOne() throws Exception {
        ProducerIdAndEpoch first = init("t");
        ProducerIdAndEpoch bumped = init("t", first.producerId(), first.producerEpoch());
        assertThat(bumped.producerEpoch()).isEqualTo((short) (first.producerEpoch() + 1));
        // the answer was lost: asking again with the epoch before gets the same answer, not another bump
        assertThat(init("t", first.producerId(), first.producerEpoch())).isEqualTo(bumped);
        ProducerIdAndEpoch again = init("t", bumped.producerId(), bumped.producerEpoch());
        assertThat(init("t", first.producerId(), first.producerEpoch()).error()).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(again.producerEpoch()).isEqualTo((short) (bumped.producerEpoch() + 1));
    }

    @Test
    void protocolV2AddsGoOnInArrivalOrderAndLaterWritesWaitForThem() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        long id = producer.producerId();
        short epoch = producer.producerEpoch();
        java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Errors> last = new CompletableFuture<>();
        log.holding = true;
        coordinator.addPartitions("t", id, epoch, Set.of(A), true, error -> order.add("first " + error));
        // a second add arrives while the first is being written: it waits instead of failing
        coordinator.addPartitions("t", id, epoch, Set.of(B), true, error -> order.add("second " + error));
        assertThat(coordinator.includes("t", id, epoch, Set.of(A)))
                .as("writes wait behind the adds")
                .isFalse();
        // a write to an added partition arriving now also goes behind them
        coordinator.addPartitions("t", id, epoch, Set.of(A), true, error -> {
            order.add("third " + error);
            last.complete(error);
        });
        log.release();
        assertThat(last.get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        assertThat(order).containsExactly("first NONE", "second NONE", "third NONE");
        await(() -> coordinator.includes("t", id, epoch, Set.of(A, B)));
    }

    @Test
    void protocolV2AddsQueuedBehindAWriteAreWrittenTogether() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        long id = producer.producerId();
        short epoch = producer.producerEpoch();
        TopicPartition c = new TopicPartition("c", 2);
        int before = log.writtenCount();
        java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Errors> last = new CompletableFuture<>();
        log.holding = true;
        coordinator.addPartitions("t", id, epoch, Set.of(A), true, error -> order.add("A " + error));
        // the coordinator's thread serves the adds: B and c must arrive once A's write is under way
        await(() -> log.writtenCount() > before);
        coordinator.addPartitions("t", id, epoch, Set.of(B), true, error -> order.add("B " + error));
        coordinator.addPartitions("t", id, epoch, Set.of(c), true, error -> {
            order.add("c " + error);
            last.complete(error);
        });
        log.release();
        assertThat(last.get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        assertThat(order).containsExactly("A NONE", "B NONE", "c NONE");
        // A alone (nothing queued behind it yet), then B and c in one write
        assertThat(log.written.subList(before, log.written.size()))
                .extracting(TransactionLogEntry::partitions)
                .containsExactly(Set.of(A), Set.of(A, B, c));
    }

    @Test
    void protocolV2sNextTransactionWaitsForTheMarkersOfTheLastInsteadOfFailing() throws Exception {
        ProducerIdAndEpoch producer = init("t");
        assertThat(add("t", producer, Set.of(A), true)).isEqualTo(Errors.NONE);
        markers.holding = true;
        ProducerIdAndEpoch next = end("t", producer.producerId(), producer.producerEpoch(), true, true);
        assertThat(state("t")).isEqualTo(TransactionState.PREPARE_COMMIT);
        CompletableFuture<Errors> added = new CompletableFuture<>();
        coordinator.addPartitions("t", next.producerId(), next.producerEpoch(), Set.of(B), true, added::complete);
        // a writer of the old epoch queues behind it and is refused after it
        CompletableFuture<Errors> zombie = new CompletableFuture<>();
        coordinator.addPartitions(
                "t", producer.producerId(), producer.producerEpoch(), Set.of(B), true, zombie::complete);
        Thread.sleep(100);
        assertThat(added).as("waits while the markers are written").isNotDone();
        markers.release();
        assertThat(added.get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        assertThat(zombie.get(5, TimeUnit.SECONDS)).isEqualTo(Errors.PRODUCER_FENCED);
        await(() -> state("t") == TransactionState.ONGOING);
        // the zombie's answer comes before it leaves the queue, and includes says no while any add is queued
        await(() -> coordinator.includes("t", next.producerId(), next.producerEpoch(), Set.of(B)));
        assertThat(coordinator.includes("t", next.producerId(), next.producerEpoch(), Set.of(A)))
                .isFalse();
    }

    /**
     * A pipelined v2 producer, as ProduceHandler serves it: each write goes on at once if its partition is in the
     * transaction ({@code includes}), else after an implicit add; the state log and the markers are made durable on
     * another thread after a random delay. Every write must go on in the order it arrived (a batch overtaking an
     * earlier one of its partition is refused by the log as out of sequence), over many transactions.
     */
    @Test
    void protocolV2WritesGoOnInArrivalOrderUnderAPipelinedProducer() throws Exception {
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor();
        log.async = flusher;
        markers.async = flusher;
        try {
            TopicPartition[] partitions = new TopicPartition[6];
            for (int p = 0; p < partitions.length; p++) {
                partitions[p] = new TopicPartition("out", p);
            }
            Random random = new Random(42);
            List<Integer> wentOn = Collections.synchronizedList(new ArrayList<>());
            ProducerIdAndEpoch producer = init("t");
            int writes = 0;
            for (int txn = 0; txn < 200; txn++) {
                long id = producer.producerId();
                short epoch = producer.producerEpoch();
                List<CompletableFuture<Errors>> answers = new ArrayList<>();
                for (int write = 0; write < 12; write++) {
                    int number = writes++;
                    Set<TopicPartition> partition = Set.of(partitions[random.nextInt(partitions.length)]);
                    CompletableFuture<Errors> answer = new CompletableFuture<>();
                    answers.add(answer);
                    if (coordinator.includes("t", id, epoch, partition)) {
                        wentOn.add(number);
                        answer.complete(Errors.NONE);
                    } else {
                        coordinator.addPartitions("t", id, epoch, partition, true, error -> {
                            if (error == Errors.NONE) {
                                wentOn.add(number);
                            }
                            answer.complete(error);
                        });
                    }
                }
                for (CompletableFuture<Errors> answer : answers) {
                    assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
                }
                producer = end("t", id, epoch, true, true);
                assertThat(producer.error()).isEqualTo(Errors.NONE);
            }
            List<Integer> arrival = new ArrayList<>();
            for (int i = 0; i < writes; i++) {
                arrival.add(i);
            }
            assertThat(wentOn).isEqualTo(arrival);
        } finally {
            flusher.shutdownNow();
        }
    }
}
