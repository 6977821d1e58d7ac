package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.log.LogAppendInfo;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
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
        return new Partition("t", 0, log, flusher, durableAcks, Long.MAX_VALUE);
    }

    private static MemoryRecords batch(int size) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[size]));
    }

    @Test
    void shouldAnswerDurableAckOnlyAfterFlushAndKeepHighWatermarkAtFlushedOffset() throws Exception {
        Partition partition = open(true, 1 << 20);
        long end = partition.appendRecordsToLeader(batch(100).buffer()).lastOffset() + 1;
        CountDownLatch acked = new CountDownLatch(1);
        partition.whenDurable(end, error -> {
            assertThat(error).isEqualTo(Errors.NONE);
            assertThat(log.recoveryPoint()).isGreaterThanOrEqualTo(end);
            acked.countDown();
        });
        assertThat(acked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(partition.highWatermark()).isEqualTo(end);
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
        long end = appendUnflushed(100);
        AtomicReference<Errors> second = new AtomicReference<>();
        CountDownLatch answered = new CountDownLatch(1);
        partition.whenDurable(end, error -> {
            throw new IllegalStateException("a bug in the waiter, not in the disk");
        });
        partition.whenDurable(end, error -> {
            second.set(error);
            answered.countDown();
        });

        assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(second.get()).as("the fsync succeeded").isEqualTo(Errors.NONE);
        assertThat(partition.isOffline()).as("a callback's exception is not a failed fsync").isFalse();
        long next = partition.appendRecordsToLeader(batch(100).buffer()).lastOffset() + 1;
        assertThat(next).isEqualTo(end + 1);
    }

    @Test
    void shouldAckOnlyOnceTheHighWatermarkHasPassedTheBatch() throws Exception {
        Partition partition = open(true, 1 << 20);
        long end = appendUnflushed(100);
        // The flusher's round in one step: flush() has moved the recovery point, onFlushed() has not yet run.
        log.flush();
        AtomicLong highWatermarkAtAck = new AtomicLong(-1);
        CountDownLatch acked = new CountDownLatch(1);

        partition.whenDurable(end, error -> {
            highWatermarkAtAck.set(partition.highWatermark());
            acked.countDown();
        });

        assertThat(acked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(highWatermarkAtAck.get()).as("high watermark when acked").isGreaterThanOrEqualTo(end);
    }

    @Test
    void shouldMoveTheHighWatermarkPastADuplicateBeforeItsAckInPageCacheMode() throws Exception {
        Partition partition = open(false, 1 << 20);
        // The first copy is written, but the event loop that wrote it has not moved the high watermark yet.
        long end = log.appendAsLeader(idempotentBatch().buffer(), 0).lastOffset() + 1;

        LogAppendInfo retry = partition.appendRecordsToLeader(idempotentBatch().buffer());

        assertThat(retry.duplicate()).isTrue();
        assertThat(partition.highWatermark()).as("high watermark when the retry is acked").isEqualTo(end);
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

        for (FetchIsolation isolation : FetchIsolation.values()) {
            LogReadInfo info = partition.read(0, 1 << 20, isolation, true);

            assertThat(info.fetchedData().sizeInBytes()).as(isolation + ": the flushed batch only")
                .isEqualTo(batchBytes);
            assertThat(info.highWatermark()).isEqualTo(durable);
            assertThat(info.lastStableOffset()).isEqualTo(durable);
            assertThat(info.logStartOffset()).isZero();
            assertThat(partition.lastFetchableOffset(isolation)).isEqualTo(durable);
        }
        assertThat(partition.read(durable, 1 << 20, FetchIsolation.HIGH_WATERMARK, true).fetchedData().isEmpty())
            .as("above the high watermark, below the log end: nothing, and no error").isTrue();
        assertThat(partition.readToLogEnd(0, 1 << 20).sizeInBytes()).as("the broker's replay reads to the log end")
            .isEqualTo(2 * batchBytes);
    }

    private static MemoryRecords idempotentBatch() {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, 0,
            new SimpleRecord(new byte[10]));
    }
}
