package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metrics.TopicMeters;
import io.piste.storage.log.LogAppendInfo;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.LogOffsetMetadata;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionTest {

    @TempDir
    Path dir;

    private final LogFlusher flusher = new LogFlusher();
    private UnifiedLog log;

    @AfterEach
    void close() throws IOException {
        flusher.close();
        if (log != null) {
            log.close();
        }
    }

    private Partition open(boolean durableAcks, int segmentBytes) throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(segmentBytes);
        log = UnifiedLog.open(dir.resolve("t-0"), config, System::currentTimeMillis, false, 0);
        return new Partition("t", 0, log, flusher, durableAcks, Long.MAX_VALUE, TopicMeters.detached());
    }

    private static MemoryRecords batch(int size) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[size]));
    }

    /** What an ack callback saw when it ran; the test thread asserts on it (an assertion on the flusher is lost). */
    private record Ack(Errors error, String thread, long recoveryPoint, long highWatermark) {}

    private CompletableFuture<Ack> ackWhenDurable(Partition partition, long endOffset) {
        CompletableFuture<Ack> ack = new CompletableFuture<>();
        partition.whenDurable(
                endOffset,
                error -> ack.complete(new Ack(
                        error, Thread.currentThread().getName(), log.recoveryPoint(), partition.highWatermark())));
        return ack;
    }

    @Test
    void shouldAnswerDurableAckOnlyAfterFlushAndKeepHighWatermarkAtFlushedOffset() throws Exception {
        Partition partition = open(true, 1 << 20);
        long end = appendUnflushed(100);
        assertThat(log.recoveryPoint())
                .as("nothing flushed before the ack is asked for")
                .isZero();

        Ack ack = ackWhenDurable(partition, end).get(10, TimeUnit.SECONDS);

        assertThat(ack.error()).isEqualTo(Errors.NONE);
        assertThat(ack.thread()).as("answered by the flusher's round").isEqualTo("piste-log-flusher");
        assertThat(ack.recoveryPoint()).as("recovery point when acked").isEqualTo(end);
        assertThat(ack.highWatermark()).as("high watermark when acked").isEqualTo(end);
        assertThat(partition.highWatermark()).isEqualTo(end);
        LogOffsetMetadata highWatermark = partition.highWatermarkMetadata();
        assertThat(highWatermark.messageOffsetOnly())
                .as("the high watermark keeps its place in the log")
                .isFalse();
        assertThat(highWatermark).isEqualTo(log.places().logEnd());
    }

    @Test
    void shouldExposeAppendAtOnceAndFlushRolledSegmentsInPageCacheMode() throws Exception {
        Partition partition = open(false, 1 << 20);
        long firstEnd = partition.appendRecordsToLeader(batch(600_000).buffer()).lastOffset() + 1;
        assertThat(partition.highWatermark()).as("visible without a flush").isEqualTo(firstEnd);
        assertThat(log.recoveryPoint()).isZero();

        partition.appendRecordsToLeader(batch(600_000).buffer());
        assertThat(log.numberOfSegments()).isEqualTo(2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.recoveryPoint() < firstEnd && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(log.recoveryPoint()).as("the roll triggered a flush").isGreaterThanOrEqualTo(firstEnd);
    }

    /** Appends straight to the log, so that no flush starts before the test has queued its waiters. */
    private long appendUnflushed(int size) throws IOException {
        return log.appendAsLeader(batch(size).buffer(), 0).lastOffset() + 1;
    }

    @Test
    void shouldAnswerTheOtherWaitersWhenAnAckCallbackThrows() throws Exception {
        Partition partition = open(true, 1 << 20);
        // The first waiter starts the flush; on a loaded machine it may end before the second waiter is queued, which
        // is then answered at once on this thread and tests nothing: try again (bounded) with a new append.
        Ack ack = null;
        long end = 0;
        AtomicInteger firstCalls = new AtomicInteger();
        for (int attempt = 0; attempt < 5 && (ack == null || !ack.thread().equals("piste-log-flusher")); attempt++) {
            end = appendUnflushed(100);
            AtomicInteger calls = new AtomicInteger();
            firstCalls = calls;
            partition.whenDurable(end, error -> {
                calls.incrementAndGet();
                throw new IllegalStateException("a bug in the waiter, not in the disk");
            });
            ack = ackWhenDurable(partition, end).get(10, TimeUnit.SECONDS);
        }
        assertThat(ack.thread()).as("answered by the flusher's round").isEqualTo("piste-log-flusher");
        assertThat(firstCalls).as("the throwing waiter was called, once").hasValue(1);
        assertThat(ack.error()).as("the fsync succeeded").isEqualTo(Errors.NONE);
        assertThat(partition.isOffline())
                .as("a callback's exception is not a failed fsync")
                .isFalse();
        long next = partition.appendRecordsToLeader(batch(100).buffer()).lastOffset() + 1;
        assertThat(next).isEqualTo(end + 1);
    }

    @Test
    void shouldAckOnlyOnceTheHighWatermarkHasPassedTheBatch() throws Exception {
        Partition partition = open(true, 1 << 20);
        long end = appendUnflushed(100);
        // The flusher's round in one step: flush() has moved the recovery point, onFlushed() has not yet run.
        log.flush();
        assertThat(partition.highWatermark()).as("not yet moved by the flusher").isLessThan(end);

        Ack ack = ackWhenDurable(partition, end).get(10, TimeUnit.SECONDS);

        assertThat(ack.error()).isEqualTo(Errors.NONE);
        assertThat(ack.highWatermark()).as("high watermark when acked").isEqualTo(end);
    }

    @Test
    void shouldMoveTheHighWatermarkPastADuplicateBeforeItsAckInPageCacheMode() throws Exception {
        Partition partition = open(false, 1 << 20);
        // The first copy is written, but the event loop that wrote it has not moved the high watermark yet.
        long end = log.appendAsLeader(idempotentBatch().buffer(), 0).lastOffset() + 1;

        LogAppendInfo retry = partition.appendRecordsToLeader(idempotentBatch().buffer());

        assertThat(retry.duplicate()).isTrue();
        assertThat(partition.highWatermark())
                .as("high watermark when the retry is acked")
                .isEqualTo(end);
    }

    @Test
    void shouldReadBelowTheHighWatermarkAndReportTheOffsetsOfThatBound() throws Exception {
        Partition partition = open(true, 1 << 20);
        long durable = partition.appendRecordsToLeader(batch(100).buffer()).lastOffset() + 1;
        CountDownLatch acked = new CountDownLatch(1);
        partition.whenDurable(durable, error -> acked.countDown());
        assertThat(acked.await(10, TimeUnit.SECONDS)).isTrue();
        int batchBytes = log.read(0, 1 << 20, durable, true).sizeInBytes();
        appendUnflushed(100);

        assertThat(partition
                        .read(0, 1 << 20, FetchIsolation.LOG_END, true)
                        .fetchedData()
                        .sizeInBytes())
                .as("a follower's read: to the log end, unflushed batch included")
                .isGreaterThan(batchBytes);
        for (FetchIsolation isolation : List.of(FetchIsolation.HIGH_WATERMARK, FetchIsolation.TXN_COMMITTED)) {
            LogReadInfo info = partition.read(0, 1 << 20, isolation, true);

            assertThat(info.fetchedData().sizeInBytes())
                    .as(isolation + ": the flushed batch only")
                    .isEqualTo(batchBytes);
            assertThat(info.highWatermark()).isEqualTo(durable);
            assertThat(info.lastStableOffset()).isEqualTo(durable);
            assertThat(info.logStartOffset()).isZero();
            assertThat(partition.lastFetchableOffset(isolation)).isEqualTo(durable);
        }
        assertThat(partition
                        .read(durable, 1 << 20, FetchIsolation.HIGH_WATERMARK, true)
                        .fetchedData()
                        .isEmpty())
                .as("above the high watermark, below the log end: nothing, and no error")
                .isTrue();
        assertThat(partition.readToLogEnd(0, 1 << 20).sizeInBytes())
                .as("the broker's replay reads to the log end")
                .isEqualTo(2 * batchBytes);
    }

    private static MemoryRecords idempotentBatch() {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, 0, new SimpleRecord(new byte[10]));
    }
}
