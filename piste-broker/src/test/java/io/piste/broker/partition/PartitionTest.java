package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
}
