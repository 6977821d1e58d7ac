package io.piste.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.handler.StorageErrors;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.partition.FetchIsolation;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.LogReadInfo;
import io.piste.broker.partition.Partition;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.index.AbortedTxn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The end of a transaction cut by a crash at each of its steps, on the broker's own storage: the coordinator over
 * the real {@link TransactionStateTopic} and {@link PartitionMarkers} on a {@link LogManager} of real files. A
 * transaction writes records to {@value #DATA_PARTITIONS} partitions (each append acknowledged durable), then ends
 * with a commit (EndTxn of protocol v2: the markers carry the bumped epoch); the crash comes at crash point {@code c}: c=0 loses the PrepareCommit write (the decision never
 * became durable); c=1..{@value #DATA_PARTITIONS} keeps the PrepareCommit and the first c-1 markers, durable, and
 * loses the rest; c={@value #DATA_PARTITIONS}+1 keeps every marker and loses the CompleteCommit. A crash switch
 * between the coordinator and the real writers lets the writes before the cut through (each waited for until fsynced)
 * and drops the cut one and every later one, so they never reach a file; the logs are then closed, their
 * clean-shutdown marker removed (as after kill -9 or a power loss), and everything is opened again as the broker
 * opens it: LogManager recovery, the state replayed by {@link TransactionCoordinator#load}.
 *
 * <p>What this covers of a power loss: at every cut all that was written before it had been fsynced (the coordinator
 * waits for each write's durability before the next step), and the cut write never reached the page cache, so the
 * files hold exactly the durable state. Not covered here: a torn or partly kept unsynced write of the cut step, which
 * piste-storage's SimulatedDisk models for the log itself (PowerLossSimulationTest); LogManager and
 * LocalController do not run on the simulated disk (they resolve log dirs on the default file system).
 *
 * <p>Checked after the restart: the transaction completes (CompleteCommit, or CompleteAbort on the timeout when the
 * decision was lost), every partition holds the matching marker, its last stable offset equals its high watermark,
 * and a read_committed read of it returns all the transaction's records after a commit, none after an abort.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransactionEndCrashTest {
    private static final String TRANSACTIONAL_ID = "crash-cut";
    private static final int DATA_PARTITIONS = 3;
    private static final int RECORDS_PER_PARTITION = 4;
    private static final String TOPIC = "orders";
    /** Short, so that a transaction whose decision was lost is aborted by the timeout within the test; long enough
     * that a loaded machine does not see the transaction time out while the test is still setting it up. */
    private static final int TRANSACTION_TIMEOUT_MS = 3_000;

    private static final TransactionConfig CONFIG =
            new TransactionConfig(3, 1024 * 1024, 900_000, 604_800_000L, 100L, 3_600_000L, true, (short) 2);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "crash point {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void shouldCompleteTheTransactionAfterACrashAtEveryStepOfItsEnd(int crashPoint) throws Exception {
        CrashSwitch crash = new CrashSwitch(crashPoint == 0 ? 0 : 1, Math.max(0, crashPoint - 1));
        ProducerIdAndEpoch producer;
        try (Node node = Node.open(dir, crash)) {
            node.controller.createTopic(TOPIC, DATA_PARTITIONS, Map.of());
            producer = node.init();
            Set<TopicPartition> partitions = dataPartitions();
            assertThat(node.add(producer, partitions)).isEqualTo(Errors.NONE);
            for (TopicPartition tp : partitions) {
                node.appendDurably(tp, producer);
            }
            crash.arm();
            node.coordinator.endTransaction(
                    TRANSACTIONAL_ID, producer.producerId(), producer.producerEpoch(), true, true, answer -> {});
            await(crash::cut, "the crash point reached");
        }
        Files.delete(dir.resolve("logs").resolve(CleanShutdownMarker.FILE_NAME));

        boolean decided = crashPoint > 0;
        try (Node node = Node.open(dir, CrashSwitch.NEVER)) {
            TransactionState completed = decided ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
            await(() -> node.state() == completed, "the transaction completed as " + completed);
            for (TopicPartition tp : dataPartitions()) {
                Partition partition = node.replicas.partition(tp.topic(), tp.partition());
                await(
                        () -> partition.lastStableOffset() == partition.highWatermark()
                                && partition.highWatermark() == partition.logEndOffset(),
                        "LSO == HW == log end in " + tp);
                assertThat(markers(partition, producer.producerId()))
                        .as("markers of the transaction in %s", tp)
                        .containsExactly(decided ? ControlRecordType.COMMIT : ControlRecordType.ABORT);
                assertThat(readCommitted(partition))
                        .as("read_committed in %s after crash point %d", tp, crashPoint)
                        .hasSize(decided ? RECORDS_PER_PARTITION : 0);
            }
        }
    }

    /**
     * A decision resumed after a restart writes its markers again; with protocol v2 the log refuses a marker whose
     * epoch is not newer than the producer's, which it is not when that very marker is in the log already: written,
     * not refused (the refusal used to log an error for every resumed end).
     */
    @Test
    void shouldTakeAMarkerOfProtocolV2FoundInTheLogAsWritten() throws Exception {
        try (Node node = Node.open(dir, CrashSwitch.NEVER)) {
            node.controller.createTopic(TOPIC, DATA_PARTITIONS, Map.of());
            ProducerIdAndEpoch producer = node.init();
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            assertThat(node.add(producer, Set.of(tp))).isEqualTo(Errors.NONE);
            node.appendDurably(tp, producer);
            short bumped = (short) (producer.producerEpoch() + 1);
            for (int write = 0; write < 2; write++) {
                CompletableFuture<Map<TopicPartition, Errors>> failed = new CompletableFuture<>();
                node.markers.write(producer.producerId(), bumped, true, (short) 2, 0, Set.of(tp), failed::complete);
                assertThat(failed.get(10, TimeUnit.SECONDS))
                        .as("failed markers at write %d", write)
                        .isEmpty();
            }
            // a marker of an epoch that never ended a transaction here is still refused
            CompletableFuture<Map<TopicPartition, Errors>> stale = new CompletableFuture<>();
            node.markers.write(
                    producer.producerId(), producer.producerEpoch(), true, (short) 2, 0, Set.of(tp), stale::complete);
            assertThat(stale.get(10, TimeUnit.SECONDS)).containsEntry(tp, Errors.INVALID_PRODUCER_EPOCH);
            Partition partition = node.replicas.partition(TOPIC, 0);
            assertThat(markers(partition, producer.producerId())).containsExactly(ControlRecordType.COMMIT);
            assertThat(readCommitted(partition)).hasSize(RECORDS_PER_PARTITION);
        }
    }

    private static Set<TopicPartition> dataPartitions() {
        Set<TopicPartition> partitions = new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        for (int p = 0; p < DATA_PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        return partitions;
    }

    /** The controls of {@code producerId}'s batches in the partition, in log order. */
    private static List<ControlRecordType> markers(Partition partition, long producerId) throws Exception {
        List<ControlRecordType> markers = new ArrayList<>();
        for (RecordBatch batch : batches(partition, FetchIsolation.HIGH_WATERMARK).batches) {
            if (batch.isControlBatch() && batch.producerId() == producerId) {
                for (Record record : batch) {
                    markers.add(ControlRecordType.parse(record.key()));
                }
            }
        }
        return markers;
    }

    /** What a read_committed fetch from the start hands a consumer: data records below the LSO, aborted ones out. */
    private static List<Record> readCommitted(Partition partition) throws Exception {
        Read read = batches(partition, FetchIsolation.TXN_COMMITTED);
        List<Record> records = new ArrayList<>();
        for (RecordBatch batch : read.batches) {
            boolean aborted = read.aborted.stream()
                    .anyMatch(a -> a.producerId() == batch.producerId() && a.firstOffset() <= batch.baseOffset());
            if (!batch.isControlBatch() && !aborted) {
                batch.forEach(records::add);
            }
        }
        return records;
    }

    private record Read(List<RecordBatch> batches, List<AbortedTxn> aborted) {}

    private static Read batches(Partition partition, FetchIsolation isolation) throws Exception {
        LogReadInfo info = partition.read(partition.logStartOffset(), 1024 * 1024, isolation, true);
        ByteBuffer bytes = ByteBuffer.allocate(info.fetchedData().sizeInBytes());
        long position = info.fetchedData().position();
        while (bytes.hasRemaining()) {
            int read = info.fetchedData().channel().read(bytes, position + bytes.position());
            assertThat(read).as("bytes of the read").isPositive();
        }
        bytes.flip();
        List<RecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(bytes).batches().forEach(batches::add);
        return new Read(batches, info.abortedTransactions() == null ? List.of() : info.abortedTransactions());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    /**
     * Lets the first {@code stateWrites} writes of {@code __transaction_state} and the first {@code markers} markers
     * after {@link #arm} through to the real writers, and drops every later one: the crash. {@link #cut} turns true
     * once what was let through is durable and the next write was dropped.
     */
    private static final class CrashSwitch {
        static final CrashSwitch NEVER = new CrashSwitch(Integer.MAX_VALUE, Integer.MAX_VALUE);

        private final AtomicInteger stateWrites;
        private final AtomicInteger markers;
        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicBoolean cut = new AtomicBoolean();

        CrashSwitch(int stateWrites, int markers) {
            this.stateWrites = new AtomicInteger(stateWrites);
            this.markers = new AtomicInteger(markers);
        }

        void arm() {
            armed.set(true);
        }

        boolean cut() {
            return cut.get();
        }

        TransactionLog stateLog(TransactionLog real) {
            return new TransactionLog() {
                @Override
                public void write(TransactionLogEntry entry, Consumer<Errors> done) {
                    if (!armed.get() || stateWrites.getAndDecrement() > 0) {
                        real.write(entry, done);
                    } else {
                        cut.set(true);
                    }
                }

                @Override
                public void remove(String transactionalId, Consumer<Errors> done) {
                    real.remove(transactionalId, done);
                }

                @Override
                public Map<String, TransactionLogEntry> load() throws IOException {
                    return real.load();
                }

                @Override
                public Map<String, TransactionLogEntry> load(int partition) throws IOException {
                    return real.load(partition);
                }

                @Override
                public int partitionOf(String transactionalId) {
                    return real.partitionOf(transactionalId);
                }
            };
        }

        MarkerWriter markers(MarkerWriter real) {
            return (producerId, producerEpoch, commit, transactionVersion, coordinatorEpoch, targets, done) -> {
                if (!armed.get()) {
                    real.write(producerId, producerEpoch, commit, transactionVersion, coordinatorEpoch, targets, done);
                    return;
                }
                List<TopicPartition> inOrder = new ArrayList<>(targets);
                inOrder.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
                Set<TopicPartition> through = new HashSet<>();
                for (TopicPartition tp : inOrder) {
                    if (markers.getAndDecrement() > 0) {
                        through.add(tp);
                    }
                }
                boolean all = through.size() == targets.size();
                real.write(producerId, producerEpoch, commit, transactionVersion, coordinatorEpoch, through, failed -> {
                    if (all) {
                        done.accept(failed);
                    } else {
                        cut.set(true); // the rest of the markers and the completion are lost
                    }
                });
            };
        }
    }

    /** One node's storage and coordinator, opened as the broker opens them. */
    private static final class Node implements AutoCloseable {
        final LocalController controller;
        final LogManager replicas;
        final MarkerWriter markers;
        final TransactionCoordinator coordinator;

        private Node(
                LocalController controller,
                LogManager replicas,
                MarkerWriter markers,
                TransactionCoordinator coordinator) {
            this.controller = controller;
            this.replicas = replicas;
            this.markers = markers;
            this.coordinator = coordinator;
        }

        static Node open(Path dir, CrashSwitch crash) throws Exception {
            LocalController controller = LocalController.open(dir.resolve("metadata"));
            LogManager replicas = new LogManager(new BrokerConfig(Map.of(
                    BrokerConfig.LOG_DIRS_CONFIG,
                    dir.resolve("logs").toString(),
                    BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG,
                    "true")));
            replicas.startup(controller.image());
            controller.setListener(replicas);
            MarkerWriter markers = new PartitionMarkers(
                    tp -> replicas.partition(tp.topic(), tp.partition()),
                    tp -> controller.image().topic(tp.topic()) != null,
                    StorageErrors::forException,
                    (offsetsPartition, producerId, commit) -> {});
            TransactionCoordinator coordinator = new TransactionCoordinator(
                    CONFIG,
                    crash.stateLog(new TransactionStateTopic(controller, replicas, CONFIG, System::currentTimeMillis)),
                    controller::nextProducerId,
                    crash.markers(markers),
                    System::currentTimeMillis);
            coordinator.load();
            return new Node(controller, replicas, markers, coordinator);
        }

        ProducerIdAndEpoch init() throws Exception {
            CompletableFuture<ProducerIdAndEpoch> result = new CompletableFuture<>();
            coordinator.initProducerId(TRANSACTIONAL_ID, TRANSACTION_TIMEOUT_MS, -1, (short) -1, result::complete);
            ProducerIdAndEpoch producer = result.get(10, TimeUnit.SECONDS);
            assertThat(producer.error()).isEqualTo(Errors.NONE);
            return producer;
        }

        Errors add(ProducerIdAndEpoch producer, Set<TopicPartition> partitions) throws Exception {
            CompletableFuture<Errors> result = new CompletableFuture<>();
            coordinator.addPartitions(
                    TRANSACTIONAL_ID,
                    producer.producerId(),
                    producer.producerEpoch(),
                    partitions,
                    false,
                    result::complete);
            return result.get(10, TimeUnit.SECONDS);
        }

        /** The transaction's records in {@code tp}, as a produce appends them, waited for until fsynced. */
        void appendDurably(TopicPartition tp, ProducerIdAndEpoch producer) throws Exception {
            SimpleRecord[] records = new SimpleRecord[RECORDS_PER_PARTITION];
            for (int i = 0; i < records.length; i++) {
                records[i] = new SimpleRecord(("key-" + i).getBytes(), ("value-" + tp + "-" + i).getBytes());
            }
            MemoryRecords batch = MemoryRecords.withTransactionalRecords(
                    Compression.NONE, producer.producerId(), producer.producerEpoch(), 0, records);
            Partition partition = replicas.partition(tp.topic(), tp.partition());
            long[] end = new long[1];
            Errors inTransaction = coordinator.appendInTransaction(
                    TRANSACTIONAL_ID, producer.producerId(), producer.producerEpoch(), tp, () -> {
                        try {
                            end[0] = partition
                                            .appendRecordsToLeader(batch.buffer())
                                            .lastOffset()
                                    + 1;
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    });
            assertThat(inTransaction).isEqualTo(Errors.NONE);
            // waited for outside the coordinator's monitor, which the log flusher's callbacks take
            CompletableFuture<Errors> durable = new CompletableFuture<>();
            partition.whenDurable(end[0], durable::complete);
            assertThat(durable.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        }

        TransactionState state() {
            return coordinator.views(TRANSACTIONAL_ID::equals).stream()
                    .findFirst()
                    .map(TransactionView::state)
                    .orElse(null);
        }

        @Override
        public void close() throws Exception {
            coordinator.close();
            controller.setListener(null);
            replicas.close();
            controller.close();
        }
    }
}
