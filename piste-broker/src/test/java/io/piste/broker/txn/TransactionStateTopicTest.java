package io.piste.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.cleaner.CompactedTopics;
import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import io.piste.storage.cleaner.LogCleaner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code __transaction_state} on real logs in a temp dir and a real metadata log, with durable acks: written, then
 * loaded after the broker's logs and metadata are opened again.
 */
@Timeout(60)
class TransactionStateTopicTest {

    private static final int PARTITIONS = 5;

    @TempDir
    Path dir;

    private LocalController controller;
    private BrokerConfig brokerConfig;
    private LogManager replicas;
    private TransactionStateTopic topic;

    @AfterEach
    void stop() throws IOException {
        if (controller != null) {
            controller.setListener(null);
            replicas.close();
            controller.close();
        }
    }

    /** Opens the metadata and the logs as the broker does at start-up. */
    private void start(int partitions) throws IOException {
        start(partitions, TransactionConfig.KAFKA_DEFAULTS.stateLogSegmentBytes());
    }

    private void start(int partitions, int segmentBytes) throws IOException {
        controller = LocalController.open(dir.resolve("metadata"));
        brokerConfig = new BrokerConfig(Map.of(
                BrokerConfig.LOG_DIRS_CONFIG,
                dir.resolve("logs").toString(),
                BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG,
                "true"));
        replicas = new LogManager(brokerConfig);
        replicas.startup(controller.image());
        controller.setListener(replicas);
        TransactionConfig config = new TransactionConfig(
                partitions, segmentBytes, 900_000, 604_800_000L, 10_000L, 3_600_000L, true, (short) 2);
        topic = new TransactionStateTopic(controller, replicas, config, () -> 1_700_000_000_000L);
    }

    private void restart() throws IOException {
        restart(TransactionConfig.KAFKA_DEFAULTS.stateLogSegmentBytes());
    }

    private void restart(int segmentBytes) throws IOException {
        stop();
        start(PARTITIONS, segmentBytes);
    }

    private long stateLogBytes() {
        AtomicLong bytes = new AtomicLong();
        replicas.forEachOpenedLog(opened -> {
            if (opened.topic().name().equals(TransactionStateTopic.NAME)) {
                bytes.addAndGet(opened.log().sizeInBytes());
            }
        });
        return bytes.get();
    }

    private static TransactionLogEntry entry(
            String id, int epoch, TransactionState state, TopicPartition... partitions) {
        return new TransactionLogEntry(
                id,
                1000L,
                -1L,
                -1L,
                (short) epoch,
                60_000,
                state,
                Set.of(partitions),
                1_700_000_000_000L + epoch,
                5L,
                (short) 2);
    }

    private void write(TransactionLogEntry entry) throws Exception {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        topic.write(entry, done::complete);
        assertThat(done.get(10, TimeUnit.SECONDS)).as("write of %s", entry).isEqualTo(Errors.NONE);
    }

    private void remove(String id) throws Exception {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        topic.remove(id, done::complete);
        assertThat(done.get(10, TimeUnit.SECONDS)).as("removal of %s", id).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldLoadTheLastEntryOfEachIdAfterARestartWithoutTheRemovedOnes() throws Exception {
        start(PARTITIONS);
        TopicPartition orders = new TopicPartition("orders", 1);
        TransactionLogEntry committing = entry("a", 1, TransactionState.PREPARE_COMMIT, orders);
        TransactionLogEntry idle = entry("b", 0, TransactionState.EMPTY);
        write(entry("a", 1, TransactionState.ONGOING, orders));
        write(committing);
        write(idle);
        write(entry("c", 3, TransactionState.COMPLETE_ABORT));
        remove("c");
        remove("never-written");

        restart();

        assertThat(topic.load()).containsOnly(Map.entry("a", committing), Map.entry("b", idle));
    }

    @Test
    void shouldCreateTheTopicCompactedWithKafkasConfigsAtTheFirstWriteAndOpenItsLogsAtStartUp() throws Exception {
        start(PARTITIONS);
        assertThat(topic.load()).as("no topic yet").isEmpty();
        assertThat(controller.image().topic(TransactionStateTopic.NAME)).isNull();

        write(entry("a", 0, TransactionState.EMPTY));
        restart();

        TopicImage created = controller.image().topic(TransactionStateTopic.NAME);
        assertThat(created.partitionCount()).isEqualTo(PARTITIONS);
        assertThat(created.configs())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "cleanup.policy", "compact",
                        "segment.bytes", "104857600",
                        "compression.type", "uncompressed",
                        "unclean.leader.election.enable", "false"));
        List<Integer> opened = new ArrayList<>();
        replicas.forEachOpenedLog(log -> {
            if (log.topic().name().equals(TransactionStateTopic.NAME)) {
                opened.add(log.index());
                // what the cleaner takes a log to compact by
                assertThat(log.log().config().cleanup().compact()).isTrue();
            }
        });
        assertThat(opened)
                .as("start-up opens every partition of an internal topic, before its first use")
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, PARTITIONS).boxed().toList());
    }

    @Test
    void shouldWriteAnIdToThePartitionKafkaWouldAndItsRecordsThere() throws Exception {
        // "tx".hashCode() = 't' * 31 + 'x' = 116 * 31 + 120 = 3716; 3716 % 50 = 16
        assertThat(TransactionStateTopic.partitionFor("tx", 50)).isEqualTo(16);
        // a hash code of Integer.MIN_VALUE, whose Math.abs is negative: Kafka's Utils.abs makes it 0
        assertThat("polygenelubricants".hashCode()).isEqualTo(Integer.MIN_VALUE);
        assertThat(TransactionStateTopic.partitionFor("polygenelubricants", 50)).isZero();
        start(50);

        write(entry("tx", 0, TransactionState.EMPTY));
        write(entry("polygenelubricants", 0, TransactionState.EMPTY));

        for (int p = 0; p < 50; p++) {
            assertThat(replicas.partition(TransactionStateTopic.NAME, p).logEndOffset())
                    .as("records in partition %d", p)
                    .isEqualTo(p == 16 || p == 0 ? 1 : 0);
        }
    }

    @Test
    void shouldSkipRecordsThatDoNotDecodeAndLoadTheOthers() throws Exception {
        start(PARTITIONS);
        TransactionLogEntry first = entry("a", 1, TransactionState.ONGOING, new TopicPartition("t", 0));
        write(first);
        byte[] unknownState = TransactionLogCodec.value(entry("a", 2, TransactionState.ONGOING));
        unknownState[2 + 8 + 2 + 4] = 42;
        Partition partition =
                replicas.partition(TransactionStateTopic.NAME, TransactionStateTopic.partitionFor("a", PARTITIONS));
        // as a disk or a hand-edited file may leave them: a later state of "a" that does not decode, a key of an
        // unknown version, a record without a key
        partition.appendRecordsToLeader(MemoryRecords.withRecords(
                        Compression.NONE,
                        new SimpleRecord(1L, TransactionLogCodec.key("a"), unknownState),
                        new SimpleRecord(1L, new byte[] {0, 9, 0, 1, 'a'}, new byte[0]),
                        new SimpleRecord(1L, null, new byte[] {1}))
                .buffer());
        TransactionLogEntry other = entry("b", 0, TransactionState.EMPTY);
        write(other);
        write(entry("c", 4, TransactionState.COMPLETE_COMMIT));

        restart();

        assertThat(topic.load())
                .as("the undecodable state of a leaves the one before it")
                .containsOnly(
                        Map.entry("a", first),
                        Map.entry("b", other),
                        Map.entry("c", entry("c", 4, TransactionState.COMPLETE_COMMIT)));
    }

    @Test
    void shouldCompleteTheWritesOfAnIdInTheOrderTheyWereMade() throws Exception {
        start(PARTITIONS);
        List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Errors>> answers = new ArrayList<>();
        for (int epoch = 0; epoch < 20; epoch++) {
            int made = epoch;
            CompletableFuture<Errors> done = new CompletableFuture<>();
            answers.add(done);
            topic.write(entry("a", epoch, TransactionState.ONGOING), error -> {
                completed.add(made);
                done.complete(error);
            });
        }
        for (CompletableFuture<Errors> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        }

        assertThat(completed)
                .containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
        restart();
        assertThat(topic.load().get("a").producerEpoch()).isEqualTo((short) 19);
    }

    /**
     * The broker's cleaner compacts the topic as any compacted topic (segments of the smallest size a topic may have,
     * 1 MiB, so that a few thousand writes fill them), and the load after it finds the same states.
     */
    @Test
    void shouldBeCompactedByTheBrokersCleanerAndLoadTheSameStatesAfter() throws Exception {
        int segmentBytes = 1024 * 1024;
        start(1, segmentBytes);
        int writes = 25_000;
        List<CompletableFuture<Errors>> answers = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            CompletableFuture<Errors> done = new CompletableFuture<>();
            answers.add(done);
            topic.write(entry("id-" + i % 10, i / 10, TransactionState.ONGOING), done::complete);
        }
        for (CompletableFuture<Errors> answer : answers) {
            assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        }
        Map<String, TransactionLogEntry> before = topic.load();
        long sizeBefore = stateLogBytes();

        LogCleaner cleaner = CompactedTopics.newLogCleaner(brokerConfig, replicas);
        try {
            assertThat(cleaner.cleanFilthiest(cleaner.newCleaner()))
                    .as("a pass cleaned it")
                    .isTrue();
        } finally {
            cleaner.close();
        }

        assertThat(stateLogBytes()).as("bytes after cleaning").isLessThan(sizeBefore / 2);
        restart(segmentBytes);
        assertThat(topic.load()).hasSize(10).isEqualTo(before);
        assertThat(before.get("id-9").producerEpoch()).isEqualTo((short) (writes / 10 - 1));
    }

    /**
     * transaction.state.log.segment.bytes is checked only for at least 1, as in Kafka, but a topic's segment.bytes
     * must be at least 1 MiB: the topic is not created, and each write says the coordinator is not available.
     */
    @Test
    void shouldAnswerCoordinatorNotAvailableWhileTheTopicCannotBeCreated() throws Exception {
        start(PARTITIONS, 1000);
        CompletableFuture<Errors> done = new CompletableFuture<>();

        topic.write(entry("a", 0, TransactionState.EMPTY), done::complete);

        assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(controller.image().topic(TransactionStateTopic.NAME)).isNull();
        assertThat(topic.load()).isEmpty();
    }

    @Test
    void shouldAnswerInvalidRequestForAnIdTooLongToStoreAndWriteNothing() throws Exception {
        start(PARTITIONS);
        CompletableFuture<Errors> done = new CompletableFuture<>();

        topic.write(entry("\uFFFD".repeat(11_000), 0, TransactionState.EMPTY), done::complete);

        assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(controller.image().topic(TransactionStateTopic.NAME)).isNull();
    }

    @Test
    void shouldReadABatchWrittenAsKafkaWritesIt() throws Exception {
        start(PARTITIONS);
        write(entry("a", 0, TransactionState.EMPTY));
        Partition partition =
                replicas.partition(TransactionStateTopic.NAME, TransactionStateTopic.partitionFor("a", PARTITIONS));

        ByteBuffer batch = ByteBuffer.allocate(1024);
        var info = partition.readToLogEnd(0, 1024);
        info.channel().read(batch, info.position());
        MemoryRecords records = MemoryRecords.readableRecords(batch.flip());

        var only = records.batches().iterator().next();
        assertThat(only.isTransactional()).isFalse();
        assertThat(only.isControlBatch()).isFalse();
        assertThat(only.compressionType().name).isEqualTo("none");
        assertThat(only.countOrNull()).isEqualTo(1);
    }
}
