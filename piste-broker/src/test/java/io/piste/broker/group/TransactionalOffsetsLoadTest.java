package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import io.piste.storage.log.FetchDataInfo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactional offsets through the real {@code __consumer_offsets} (one partition, real storage and its
 * producer-state checks) and back through the load: committed transactions replay to their offsets, aborted ones to
 * nothing, undecided ones stay pending until {@link GroupOffsets#completeTransaction}.
 */
@Timeout(60)
class TransactionalOffsetsLoadTest {

    private static final long COMMITTED = 100L;
    private static final long ABORTED = 200L;
    private static final long UNDECIDED = 300L;

    @TempDir
    Path dir;

    private LocalController controller;
    private LogManager replicas;
    private OffsetsTopic topic;
    private GroupOffsets live;

    private final TopicPartition t0 = new TopicPartition("t", 0);
    private final TopicPartition t1 = new TopicPartition("t", 1);
    private final TopicPartition t2 = new TopicPartition("t", 2);

    @BeforeEach
    void start() throws Exception {
        controller = LocalController.open(dir.resolve("metadata"));
        replicas = new LogManager(new BrokerConfig(
                Map.of(BrokerConfig.LOG_DIRS_CONFIG, dir.resolve("logs").toString())));
        replicas.startup(controller.image());
        controller.setListener(replicas);
        topic = new OffsetsTopic(controller, replicas, 1, () -> 1_000L);
        live = new GroupOffsets(topic, topic::partitionOf);
    }

    @AfterEach
    void stop() throws Exception {
        replicas.close();
        controller.close();
    }

    private static CommittedOffset at(long offset) {
        return new CommittedOffset(offset, 3, "meta", 1_000L);
    }

    private Errors commitTransactional(long producerId, short epoch, Map<TopicPartition, CommittedOffset> commit)
            throws Exception {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        live.commitTransactional("g", producerId, epoch, commit, done::complete);
        return done.get(10, TimeUnit.SECONDS);
    }

    private Errors commit(Map<TopicPartition, CommittedOffset> commit) throws Exception {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        live.commit("g", commit, done::complete);
        return done.get(10, TimeUnit.SECONDS);
    }

    /** The coordinator's part: the marker on the group's partition, durable, then completeTransaction. */
    private void complete(long producerId, boolean commit) throws Exception {
        Partition partition = replicas.partition(OffsetsTopic.NAME, 0);
        long end = partition
                        .appendTransactionMarker(producerId, (short) 0, 0, commit, (short) 1)
                        .lastOffset()
                + 1;
        CompletableFuture<Errors> durable = new CompletableFuture<>();
        partition.whenDurable(end, durable::complete);
        assertThat(durable.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        live.completeTransaction(0, producerId, commit);
    }

    private GroupOffsets reload() throws Exception {
        GroupOffsets loaded = new GroupOffsets(
                (groupId, producerId, epoch, offsets, done) -> {
                    throw new AssertionError("the load must not write");
                },
                topic::partitionOf);
        topic.load(loaded, new OffsetsTopic.LoadedGroups());
        return loaded;
    }

    @Test
    void shouldReplayCommittedAbortedAndUndecidedTransactionsAsTheyWereLive() throws Exception {
        assertThat(commit(Map.of(t0, at(1)))).isEqualTo(Errors.NONE);
        // Two batches of one transaction, same producer and epoch: the storage takes both (no sequence).
        assertThat(commitTransactional(COMMITTED, (short) 0, Map.of(t0, at(10), t1, at(11))))
                .isEqualTo(Errors.NONE);
        assertThat(commitTransactional(COMMITTED, (short) 0, Map.of(t2, at(12))))
                .isEqualTo(Errors.NONE);
        assertThat(commitTransactional(ABORTED, (short) 0, Map.of(t0, at(20)))).isEqualTo(Errors.NONE);
        // A plain commit after the transactional one: the later record wins when the transaction commits.
        assertThat(commit(Map.of(t1, at(99)))).isEqualTo(Errors.NONE);
        complete(COMMITTED, true);
        complete(ABORTED, false);
        assertThat(commitTransactional(UNDECIDED, (short) 0, Map.of(t0, at(30))))
                .isEqualTo(Errors.NONE);

        Map<TopicPartition, CommittedOffset> expected = Map.of(t0, at(10), t1, at(99), t2, at(12));
        assertThat(live.fetch("g")).isEqualTo(expected);
        assertThat(batches(RecordBatch::isControlBatch)).as("the two markers").isEqualTo(2);
        assertThat(batches(RecordBatch::isTransactional))
                .as("four transactional batches and two markers")
                .isEqualTo(6);

        GroupOffsets loaded = reload();

        assertThat(loaded.fetch("g")).isEqualTo(expected);
        assertThat(loaded.hasPendingTransactionalOffset("g", t0))
                .as("the undecided transaction")
                .isTrue();
        assertThat(loaded.hasPendingTransactionalOffset("g", t1)).isFalse();

        // The coordinator's recovery completes it later.
        loaded.completeTransaction(0, UNDECIDED, true);
        assertThat(loaded.fetch("g").get(t0)).isEqualTo(at(30));
        assertThat(loaded.hasPendingTransactionalOffsets("g")).isFalse();
    }

    @Test
    void shouldAnswerInvalidProducerEpochForAWriteOfAFencedProducer() throws Exception {
        assertThat(commitTransactional(COMMITTED, (short) 2, Map.of(t0, at(10))))
                .isEqualTo(Errors.NONE);

        assertThat(commitTransactional(COMMITTED, (short) 1, Map.of(t0, at(11))))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);

        assertThat(reload().hasPendingTransactionalOffset("g", t0)).isTrue();
        live.completeTransaction(0, COMMITTED, true);
        assertThat(live.fetch("g").get(t0).offset())
                .as("the fenced write left nothing")
                .isEqualTo(10);
    }

    /** How many batches of the offsets partition {@code which} selects. */
    private int batches(Predicate<RecordBatch> which) throws Exception {
        Partition partition = replicas.partition(OffsetsTopic.NAME, 0);
        FetchDataInfo data = partition.readToLogEnd(0, 1 << 20);
        ByteBuffer buf = ByteBuffer.allocate(data.sizeInBytes());
        data.channel().read(buf, data.position());
        int count = 0;
        List<RecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(buf.flip()).batches().forEach(batches::add);
        for (RecordBatch batch : batches) {
            if (which.test(batch)) {
                count++;
            }
        }
        return count;
    }
}
