package io.piste.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.piste.broker.config.BrokerConfig;
import io.piste.broker.fetchsession.FetchContext;
import io.piste.broker.fetchsession.PartitionFetch;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.FetchIsolation;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parked fetch decides from offsets whether it can answer and reads only to answer; it gives its purgatory place
 * back and leaves no timer and no waiter, whatever happens to it. Partitions are real, in page-cache mode (an append
 * moves the high watermark at once), on the test thread; the event loop is an {@link EmbeddedChannel}'s.
 */
class DelayedFetchTest {

    private static final short VERSION = 12;
    private static final int MAX_WAIT_MS = 500;
    private static final int RECORD_BYTES = 1000;
    private static final int BATCH_BYTES = batch().sizeInBytes();
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private FetchPurgatory purgatory = new FetchPurgatory(1, 1);
    private final List<ApiMessage> answers = new ArrayList<>();
    private LogManager partitions;
    /** How many times the parked fetch read its partitions. */
    private final AtomicInteger reads = new AtomicInteger();

    @AfterEach
    void close() {
        if (partitions != null) {
            partitions.close();
        }
        loop.finishAndReleaseAll();
    }

    /** A slot on a connection that closed before the fetch parked, or that stays open. */
    private RequestContext context(boolean connectionClosed) {
        RequestContext.ResponseSlot slot = new RequestContext.ResponseSlot() {
            @Override
            public void complete(ApiMessage response) {
                answers.add(response);
            }

            @Override
            public void onConnectionClosed(Runnable cancel) {
                if (connectionClosed) {
                    cancel.run();
                }
            }
        };
        return new RequestContext(
                new RequestHeader(ApiKeys.FETCH, VERSION, "c", 1),
                new FetchRequest(new FetchRequestData(), VERSION),
                new InetSocketAddress("127.0.0.1", 5555),
                loop.eventLoop(),
                slot);
    }

    private DelayedFetch park(RequestContext context, FetchContext session) {
        assertThat(purgatory.tryPark()).isTrue();
        return new DelayedFetch(
                context,
                purgatory,
                session,
                new FetchReader(List.of(), 1024, FetchIsolation.HIGH_WATERMARK)::read,
                List.of(),
                1,
                MAX_WAIT_MS,
                FetchIsolation.HIGH_WATERMARK);
    }

    /** Topic t with one partition, its segments {@code segmentBytes} long, in page-cache mode. */
    private Partition partition(int segmentBytes) throws IOException {
        return partition(segmentBytes, false);
    }

    private Partition partition(int segmentBytes, boolean durableAcks) throws IOException {
        partitions = new LogManager(new BrokerConfig(Map.of(
                BrokerConfig.LOG_DIRS_CONFIG, dir.resolve("logs").toString(),
                BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG, Boolean.toString(durableAcks),
                BrokerConfig.LOG_WRITEBACK_INTERVAL_MS_CONFIG, "0")));
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            partitions.startup(controller.image());
        }
        partitions.onTopicCreated(topic(segmentBytes), MetadataImage.EMPTY);
        return partitions.partition("t", 0);
    }

    private static TopicImage topic(int segmentBytes) {
        return new TopicImage("t", TOPIC_ID, 1, Map.of("internal.segment.bytes", Integer.toString(segmentBytes)));
    }

    private static MemoryRecords batch() {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[RECORD_BYTES]));
    }

    /** Appends {@code count} batches; returns the log end offset. */
    private static long append(Partition partition, int count) throws IOException {
        long end = -1;
        for (int i = 0; i < count; i++) {
            end = partition.appendRecordsToLeader(batch().buffer()).lastOffset() + 1;
        }
        return end;
    }

    private static List<FetchTarget> targets(Partition partition, long fetchOffset) {
        return List.of(new FetchTarget("t", TOPIC_ID, 0, fetchOffset, 1 << 20, partition, Errors.NONE));
    }

    /** The broker's read, counted. */
    private Supplier<FetchReader.Result> countedRead(List<FetchTarget> targets) {
        FetchReader reader = new FetchReader(targets, 1 << 20, FetchIsolation.HIGH_WATERMARK);
        return () -> {
            reads.incrementAndGet();
            return reader.read();
        };
    }

    private DelayedFetch parkOn(List<FetchTarget> targets, int minBytes) {
        assertThat(purgatory.tryPark()).isTrue();
        return new DelayedFetch(
                context(false),
                purgatory,
                session(null),
                countedRead(targets),
                targets,
                minBytes,
                MAX_WAIT_MS,
                FetchIsolation.HIGH_WATERMARK);
    }

    private PartitionData answeredPartition() {
        assertThat(answers).hasSize(1);
        return ((FetchResponseData) answers.get(0))
                .responses()
                .get(0)
                .partitions()
                .get(0);
    }

    private static FetchContext session(RuntimeException failure) {
        return new FetchContext() {
            @Override
            public List<PartitionFetch> partitions() {
                return List.of();
            }

            @Override
            public FetchResponseData updateAndGenerateResponse(FetchResponseData read) {
                if (failure != null) {
                    throw failure;
                }
                return read;
            }
        };
    }

    @Test
    void shouldNotParkWhenTheConnectionClosedBeforeTheStart() {
        loop.freezeTime();
        park(context(true), session(null)).start();

        assertThat(purgatory.parkedCount()).isZero();
        assertThat(loop.runScheduledPendingTasks()).as("no timer scheduled").isEqualTo(-1);
        assertThat(answers).isEmpty();
    }

    @Test
    void shouldAnswerWithAnErrorAndLeaveWhenTheAnswerFails() {
        loop.freezeTime();
        park(context(false), session(new IllegalStateException("session broken")))
                .start();
        assertThat(purgatory.parkedCount()).isEqualTo(1);

        loop.advanceTimeBy(MAX_WAIT_MS, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();

        assertThat(purgatory.parkedCount()).isZero();
        assertThat(answers).hasSize(1);
        assertThat(Errors.forCode(((FetchResponseData) answers.get(0)).errorCode()))
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
    }

    @Test
    void shouldAnswerWhatThereIsAtTheTimeout() {
        loop.freezeTime();
        park(context(false), session(null)).start();
        loop.advanceTimeBy(MAX_WAIT_MS - 1, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        assertThat(answers).isEmpty();

        loop.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();

        assertThat(answers).hasSize(1);
        assertThat(purgatory.parkedCount()).isZero();
    }

    @Test
    void shouldNotReadUntilMinBytesAreBelowTheHighWatermark() throws Exception {
        loop.freezeTime();
        Partition partition = partition(1 << 20);
        long fetchOffset = append(partition, 1);
        List<FetchTarget> targets = targets(partition, fetchOffset);
        assertThat(parkOn(targets, 3 * BATCH_BYTES).start()).isTrue();
        loop.runPendingTasks();
        assertThat(reads).as("reads at the start").hasValue(0);

        append(partition, 2);
        loop.runPendingTasks();
        assertThat(reads)
                .as("reads with two batches of three below the high watermark")
                .hasValue(0);
        assertThat(answers).isEmpty();

        long end = append(partition, 1);
        loop.runPendingTasks();

        assertThat(reads).as("one read, to answer").hasValue(1);
        PartitionData answered = answeredPartition();
        assertThat(Errors.forCode(answered.errorCode())).isEqualTo(Errors.NONE);
        assertThat(answered.highWatermark()).isEqualTo(end);
        assertThat(answered.records().sizeInBytes()).isEqualTo(3 * BATCH_BYTES);
        PartitionData readNow = new FetchReader(targets, 1 << 20, FetchIsolation.HIGH_WATERMARK)
                .read()
                .response()
                .responses()
                .get(0)
                .partitions()
                .get(0);
        assertThat(answered.records().sizeInBytes())
                .as("as the broker's read")
                .isEqualTo(readNow.records().sizeInBytes());
        assertThat(answered.logStartOffset()).isEqualTo(readNow.logStartOffset());
        assertThat(answered.lastStableOffset()).isEqualTo(readNow.lastStableOffset());
        assertThat(purgatory.parkedCount()).isZero();
        assertThat(partition.dataWaiters().count()).isZero();
        assertThat(loop.runScheduledPendingTasks()).as("timer cancelled").isEqualTo(-1);
    }

    @Test
    void shouldKeepAReadCommittedFetchParkedUntilTheLastStableOffsetMoves() throws Exception {
        loop.freezeTime();
        Partition partition = partition(1 << 20);
        partition.appendRecordsToLeader(MemoryRecords.withTransactionalRecords(
                        Compression.NONE, 7L, (short) 0, 0, new SimpleRecord(new byte[RECORD_BYTES]))
                .buffer()); // 0: a transaction left open
        List<FetchTarget> targets = targets(partition, 0);
        FetchReader reader = new FetchReader(targets, 1 << 20, FetchIsolation.TXN_COMMITTED);
        assertThat(purgatory.tryPark()).isTrue();
        DelayedFetch fetch = new DelayedFetch(
                context(false),
                purgatory,
                session(null),
                () -> {
                    reads.incrementAndGet();
                    return reader.read();
                },
                targets,
                1,
                MAX_WAIT_MS,
                FetchIsolation.TXN_COMMITTED);
        assertThat(fetch.start()).isTrue();

        append(partition, 2); // the high watermark moves, the last stable offset stays at 0
        loop.runPendingTasks();
        assertThat(reads).as("reads while the transaction is open").hasValue(0);
        assertThat(answers).isEmpty();

        partition.appendTransactionMarker(7L, (short) 0, 0, true, (short) 0);
        loop.runPendingTasks();

        assertThat(reads).as("one read, to answer").hasValue(1);
        PartitionData answered = answeredPartition();
        assertThat(answered.lastStableOffset()).isEqualTo(4).isEqualTo(answered.highWatermark());
        assertThat(answered.records().sizeInBytes()).isPositive();
    }

    /**
     * Durable acks: the flusher thread moves the high watermark to the flushed offset, so the fetch runs on a real
     * event loop; after each ack a task queued behind the check shows that the check has run.
     */
    @Test
    void shouldNotReadUntilMinBytesAreFlushedWithDurableAcks() throws Exception {
        DefaultEventLoop eventLoop = new DefaultEventLoop();
        try {
            Partition partition = partition(1 << 20, true);
            long fetchOffset = appendDurably(partition, 1);
            List<FetchTarget> targets = targets(partition, fetchOffset);
            List<ApiMessage> answered = new CopyOnWriteArrayList<>();
            RequestContext context = new RequestContext(
                    new RequestHeader(ApiKeys.FETCH, VERSION, "c", 1),
                    new FetchRequest(new FetchRequestData(), VERSION),
                    new InetSocketAddress("127.0.0.1", 5555),
                    eventLoop,
                    answered::add);
            assertThat(purgatory.tryPark()).isTrue();
            DelayedFetch fetch = new DelayedFetch(
                    context,
                    purgatory,
                    session(null),
                    countedRead(targets),
                    targets,
                    3 * BATCH_BYTES,
                    60_000,
                    FetchIsolation.HIGH_WATERMARK);
            assertThat(eventLoop.submit(fetch::start).get(10, TimeUnit.SECONDS)).isTrue();

            appendDurably(partition, 2);
            eventLoop.submit(() -> {}).get(10, TimeUnit.SECONDS);
            assertThat(reads).as("reads with two batches of three flushed").hasValue(0);
            assertThat(answered).isEmpty();

            long end = appendDurably(partition, 1);
            eventLoop.submit(() -> {}).get(10, TimeUnit.SECONDS);

            assertThat(reads).as("one read, to answer").hasValue(1);
            assertThat(answered).hasSize(1);
            PartitionData data = ((FetchResponseData) answered.get(0))
                    .responses()
                    .get(0)
                    .partitions()
                    .get(0);
            assertThat(data.highWatermark()).isEqualTo(end);
            assertThat(data.records().sizeInBytes()).isEqualTo(3 * BATCH_BYTES);
            assertThat(purgatory.parkedCount()).isZero();
        } finally {
            eventLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /** Appends {@code count} batches and waits until they are flushed and below the high watermark. */
    private static long appendDurably(Partition partition, int count) throws Exception {
        long end = append(partition, count);
        CompletableFuture<Errors> ack = new CompletableFuture<>();
        partition.whenDurable(end, ack::complete);
        assertThat(ack.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        return end;
    }

    @Test
    void shouldCountAtMostThePartitionMaxBytesOfEachPartition() throws Exception {
        loop.freezeTime();
        Partition partition = partition(1 << 20);
        List<FetchTarget> targets = List.of(new FetchTarget("t", TOPIC_ID, 0, 0, BATCH_BYTES, partition, Errors.NONE));
        assertThat(parkOn(targets, 2 * BATCH_BYTES).start()).isTrue();

        append(partition, 3);
        loop.runPendingTasks();
        assertThat(reads)
                .as("a partition counts at most its partition_max_bytes")
                .hasValue(0);

        loop.advanceTimeBy(MAX_WAIT_MS, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        assertThat(reads).hasValue(1);
        assertThat(answeredPartition().records().sizeInBytes()).isEqualTo(BATCH_BYTES);
    }

    @Test
    void shouldAnswerAtOnceWhenTheFetchOffsetsSegmentIsCompleteBelowTheHighWatermark() throws Exception {
        loop.freezeTime();
        // Two batches per segment.
        Partition partition = partition(2 * BATCH_BYTES + BATCH_BYTES / 2);
        long fetchOffset = append(partition, 1);
        assertThat(parkOn(targets(partition, fetchOffset), 1 << 20).start()).isTrue();
        append(partition, 1);
        loop.runPendingTasks();
        assertThat(reads)
                .as("one batch below the high watermark, in the fetch offset's segment")
                .hasValue(0);

        append(partition, 1);
        loop.runPendingTasks();

        assertThat(reads)
                .as("rolled: the rest of the segment is below the high watermark")
                .hasValue(1);
        PartitionData answered = answeredPartition();
        assertThat(answered.records().sizeInBytes())
                .as("the fetch offset's segment, to its end")
                .isEqualTo(BATCH_BYTES);
        assertThat(purgatory.parkedCount()).isZero();
    }

    @Test
    void shouldAnswerAtOnceWhenThePartitionIsDeleted() throws Exception {
        loop.freezeTime();
        Partition partition = partition(1 << 20);
        long fetchOffset = append(partition, 1);
        assertThat(parkOn(targets(partition, fetchOffset), 1 << 20).start()).isTrue();
        loop.runPendingTasks();
        assertThat(reads).hasValue(0);

        partitions.onTopicDeleted(topic(1 << 20));
        loop.runPendingTasks();

        assertThat(reads).as("read once, to answer").hasValue(1);
        assertThat(Errors.forCode(answeredPartition().errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(purgatory.parkedCount()).isZero();
        assertThat(partition.dataWaiters().count()).isZero();
    }

    @Test
    void shouldAnswerAtOnceWhenTheFetchOffsetIsOutOfRange() throws Exception {
        loop.freezeTime();
        Partition partition = partition(1 << 20);
        long end = append(partition, 1);
        // The broker answers such a fetch at once (its first read fails); the check says the same if it parks.
        assertThat(parkOn(targets(partition, end + 5), 1).start()).isTrue();
        loop.runPendingTasks();

        assertThat(reads).as("the read answers with the error").hasValue(1);
        assertThat(Errors.forCode(answeredPartition().errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(purgatory.parkedCount()).isZero();
    }

    @Test
    void shouldAnswerAtOnceAFetchBeyondThePerPartitionBound() throws Exception {
        loop.freezeTime();
        purgatory = new FetchPurgatory(10, 1);
        Partition partition = partition(1 << 20);
        long fetchOffset = append(partition, 1);
        assertThat(parkOn(targets(partition, fetchOffset), 1 << 20).start()).isTrue();

        assertThat(parkOn(targets(partition, fetchOffset), 1 << 20).start())
                .as("a second fetch on the partition")
                .isFalse();

        assertThat(purgatory.parkedCount()).as("the second gave its place back").isEqualTo(1);
        assertThat(partition.dataWaiters().count()).isEqualTo(1);
        assertThat(answers).as("its caller answers it").isEmpty();
        loop.advanceTimeBy(MAX_WAIT_MS, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        assertThat(answers).as("the first, at its timeout").hasSize(1);
        assertThat(purgatory.parkedCount()).isZero();
        assertThat(partition.dataWaiters().count()).isZero();
        assertThat(parkOn(targets(partition, fetchOffset), 1 << 20).start())
                .as("room again")
                .isTrue();
    }
}
