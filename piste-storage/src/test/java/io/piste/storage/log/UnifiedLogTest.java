package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.baseOffsets;
import static io.piste.storage.log.LogTestSupport.batch;
import static io.piste.storage.log.LogTestSupport.readAll;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.checkpoint.EpochEntry;
import io.piste.storage.errors.BatchTooLargeException;
import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.InvalidTimestampException;
import io.piste.storage.errors.OffsetOutOfRangeException;
import io.piste.storage.record.RecordBatchView;
import io.piste.storage.record.TestBatches;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnifiedLogTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();
    private final RecordBatchView view = new RecordBatchView();

    private UnifiedLog open(LogConfig config) throws Exception {
        return UnifiedLog.open(dir.resolve("topic-0"), config, clock::get, true, 0);
    }

    @Test
    void shouldAppendAndReadBackAcrossSegmentRolls() throws Exception {
        try (UnifiedLog log = open(smallConfig())) {
            List<ByteBuffer> written = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ByteBuffer b = batch(1 + i % 3);
                LogAppendInfo info = log.appendAsLeader(b, 0);
                assertThat(info.firstOffset()).isEqualTo(written.isEmpty() ? 0 : log.logEndOffset() - 1 - i % 3);
                assertThat(info.duplicate()).isFalse();
                written.add(b);
            }

            assertThat(log.numberOfSegments()).isGreaterThan(3);
            List<ByteBuffer> read = readAll(log, 0);
            assertThat(read).containsExactlyElementsOf(written);
            assertThat(log.logEndOffset()).isEqualTo(79);
            assertThat(log.sizeInBytes())
                    .isEqualTo(written.stream().mapToLong(ByteBuffer::remaining).sum());
            assertThat(Files.list(log.dir())
                            .filter(p -> p.toString().endsWith(".log"))
                            .count())
                    .isEqualTo(log.numberOfSegments());
        }
    }

    @Test
    void shouldAssignOffsetsToEveryBatchOfOneAppend() throws Exception {
        try (UnifiedLog log = open(smallConfig())) {
            ByteBuffer records = TestBatches.concat(batch(2), batch(3), batch(1));
            records.position(0);

            LogAppendInfo info = log.appendAsLeader(records, 0);

            assertThat(info.firstOffset()).isZero();
            assertThat(info.lastOffset()).isEqualTo(5);
            assertThat(info.recordCount()).isEqualTo(6);
            assertThat(baseOffsets(readAll(log, 0))).containsExactly(0L, 2L, 5L);
            assertThat(records.position()).isZero();
            assertThat(records.limit()).isEqualTo(records.capacity());
        }
    }

    @Test
    void shouldReadWithinMaxBytesUnlessMinOneMessage() throws Exception {
        try (UnifiedLog log = open(LogConfig.defaults())) {
            int size = batch(2).remaining();
            for (int i = 0; i < 5; i++) {
                log.appendAsLeader(batch(2), 0);
            }

            FetchDataInfo twoBatches = log.read(0, size * 2 + size / 2, Long.MAX_VALUE, false);
            FetchDataInfo tooSmall = log.read(0, size - 1, Long.MAX_VALUE, false);
            FetchDataInfo forcedOne = log.read(0, 1, Long.MAX_VALUE, true);

            assertThat(twoBatches.sizeInBytes()).isEqualTo(size * 2);
            assertThat(twoBatches.position()).isZero();
            assertThat(tooSmall.isEmpty()).isTrue();
            assertThat(forcedOne.sizeInBytes()).isEqualTo(size);
        }
    }

    @Test
    void shouldStopBeforeBatchAtOrPastMaxOffsetExclusive() throws Exception {
        try (UnifiedLog log = open(LogConfig.defaults())) {
            int size = batch(2).remaining();
            for (int i = 0; i < 5; i++) {
                log.appendAsLeader(batch(2), 0);
            }

            assertThat(log.read(0, 1 << 20, 4, true).sizeInBytes()).isEqualTo(size * 2);
            assertThat(log.read(0, 1 << 20, 5, true).sizeInBytes()).isEqualTo(size * 3);
            assertThat(log.read(4, 1 << 20, 4, true).isEmpty()).isTrue();
        }
    }

    @Test
    void shouldStartReadAtBatchContainingOffset() throws Exception {
        try (UnifiedLog log = open(smallConfig())) {
            for (int i = 0; i < 30; i++) {
                log.appendAsLeader(batch(3), 0);
            }

            for (long offset = 0; offset < 90; offset++) {
                FetchDataInfo info = log.read(offset, 1 << 20, Long.MAX_VALUE, false);
                ByteBuffer first = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
                LogFiles.readFully(info.channel(), first, info.position());
                assertThat(view.wrap(first, 0).baseOffset())
                        .as("offset %d", offset)
                        .isEqualTo(offset - offset % 3);
            }
            assertThat(log.read(90, 1 << 20, Long.MAX_VALUE, true).isEmpty()).isTrue();
        }
    }

    @Test
    void shouldReadTheSameSliceWhetherTheWalkSkipsIndexedBatchesOrNot() throws Exception {
        LogConfig base = LogConfig.defaults().withSegmentBytes(2048);
        try (UnifiedLog indexed =
                        UnifiedLog.open(dir.resolve("indexed-0"), base.withIndexIntervalBytes(0), clock::get, true, 0);
                UnifiedLog unindexed = UnifiedLog.open(
                        dir.resolve("unindexed-0"),
                        base.withIndexIntervalBytes(Integer.MAX_VALUE),
                        clock::get,
                        true,
                        0)) {
            for (int i = 0; i < 60; i++) {
                indexed.appendAsLeader(batch(1 + i % 5), 0);
                unindexed.appendAsLeader(batch(1 + i % 5), 0);
            }
            int size = batch(3).remaining();
            long end = indexed.logEndOffset();

            for (long offset = 0; offset < end; offset += 2) {
                for (int maxBytes : new int[] {0, size - 1, size, size * 2 + 7, size * 5, 1 << 20}) {
                    for (long maxOffsetExclusive : new long[] {offset, offset + 1, offset + 9, end, Long.MAX_VALUE}) {
                        for (boolean minOne : new boolean[] {false, true}) {
                            FetchDataInfo skipped = indexed.read(offset, maxBytes, maxOffsetExclusive, minOne);
                            FetchDataInfo walked = unindexed.read(offset, maxBytes, maxOffsetExclusive, minOne);
                            assertThat(skipped.position())
                                    .as(
                                            "offset %d maxBytes %d maxOffsetExclusive %d",
                                            offset, maxBytes, maxOffsetExclusive)
                                    .isEqualTo(walked.position());
                            assertThat(skipped.sizeInBytes())
                                    .as(
                                            "offset %d maxBytes %d maxOffsetExclusive %d",
                                            offset, maxBytes, maxOffsetExclusive)
                                    .isEqualTo(walked.sizeInBytes());
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldThrowOffsetOutOfRangeOutsideTheLog() throws Exception {
        try (UnifiedLog log = open(smallConfig())) {
            log.appendAsLeader(batch(3), 0);

            assertThatThrownBy(() -> log.read(4, 100, Long.MAX_VALUE, true))
                    .isInstanceOf(OffsetOutOfRangeException.class)
                    .hasMessageContaining("offset=4");
            assertThatThrownBy(() -> log.read(-1, 100, Long.MAX_VALUE, true))
                    .isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    @Test
    void shouldRollWhenSegmentMsElapsed() throws Exception {
        try (UnifiedLog log = open(LogConfig.defaults().withSegmentMs(1000))) {
            log.appendAsLeader(batch(1), 0);
            clock.addAndGet(999);
            log.appendAsLeader(batch(1), 0);
            assertThat(log.numberOfSegments()).isEqualTo(1);

            clock.addAndGet(1);
            log.appendAsLeader(batch(1), 0);

            assertThat(log.numberOfSegments()).isEqualTo(2);
            assertThat(Files.exists(LogFiles.logFile(log.dir(), 2))).isTrue();
        }
    }

    @Test
    void shouldRollWhenOffsetIndexIsFull() throws Exception {
        try (UnifiedLog log =
                open(LogConfig.defaults().withIndexIntervalBytes(0).withMaxIndexSizeBytes(24))) {
            for (int i = 0; i < 7; i++) {
                log.appendAsLeader(batch(1), 0);
            }

            assertThat(log.numberOfSegments()).isEqualTo(3);
            assertThat(baseOffsets(readAll(log, 0))).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        }
    }

    @Test
    void shouldReopenCleanlyWithoutScanning() throws Exception {
        List<ByteBuffer> before;
        LogConfig config = smallConfig();
        try (UnifiedLog log = open(config)) {
            for (int i = 0; i < 50; i++) {
                log.appendAsLeader(batch(2), 3);
            }
            before = readAll(log, 0);
        }

        try (UnifiedLog log = open(config)) {
            assertThat(log.recoveredBatchCount()).isZero();
            assertThat(log.logEndOffset()).isEqualTo(100);
            assertThat(log.recoveryPoint()).isEqualTo(100);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before);
            assertThat(log.latestEpoch()).isEqualTo(3);

            log.appendAsLeader(batch(1), 3);
            assertThat(log.logEndOffset()).isEqualTo(101);
        }
    }

    @Test
    void shouldRebuildMissingOrCorruptIndexOnCleanOpen() throws Exception {
        LogConfig config = smallConfig();
        List<ByteBuffer> before;
        Path logDir;
        try (UnifiedLog log = open(config)) {
            for (int i = 0; i < 30; i++) {
                log.appendAsLeader(batch(2), 0);
            }
            before = readAll(log, 0);
            logDir = log.dir();
        }
        Files.delete(LogFiles.indexFile(logDir, 0));
        Files.write(LogFiles.timeIndexFile(logDir, 0), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});

        try (UnifiedLog log = open(config)) {
            assertThat(log.recoveredBatchCount()).isPositive();
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before);
            for (long offset = 0; offset < 60; offset++) {
                assertThat(log.read(offset, 1 << 20, Long.MAX_VALUE, false).isEmpty())
                        .isFalse();
            }
        }
        assertThat(Files.size(LogFiles.indexFile(logDir, 0))).isPositive();
    }

    @Test
    void shouldRecordLeaderEpochChangesAndPersistThem() throws Exception {
        Path logDir;
        try (UnifiedLog log = open(smallConfig())) {
            log.appendAsLeader(batch(2), 0);
            log.appendAsLeader(batch(2), 0);
            log.appendAsLeader(batch(2), 5);
            log.appendAsLeader(batch(2), 5);
            logDir = log.dir();

            assertThat(log.latestEpoch()).isEqualTo(5);
            assertThat(log.epochEntries()).containsExactly(new EpochEntry(0, 0), new EpochEntry(5, 4));
            assertThat(log.endOffsetForEpoch(0)).isEqualTo(4);
            assertThat(log.endOffsetForEpoch(5)).isEqualTo(8);
            assertThat(view.wrap(readAll(log, 4).get(0), 0).partitionLeaderEpoch())
                    .isEqualTo(5);
        }
        assertThat(Files.readString(logDir.resolve("leader-epoch-checkpoint"))).isEqualTo("0\n2\n0 0\n5 4\n");
    }

    @Test
    void shouldRejectTimestampOutOfRangeForCreateTime() throws Exception {
        LogConfig config = LogConfig.defaults().withTimestampBoundsMs(1000, 500);
        try (UnifiedLog log = open(config)) {
            ByteBuffer tooOld = TestBatches.builder().timestamp(NOW_MS - 1001).build();
            ByteBuffer tooNew = TestBatches.builder().timestamp(NOW_MS + 501).build();

            assertThatThrownBy(() -> log.appendAsLeader(tooOld, 0))
                    .isInstanceOf(InvalidTimestampException.class)
                    .hasMessageContaining("maxTimestamp=" + (NOW_MS - 1001));
            assertThatThrownBy(() -> log.appendAsLeader(tooNew, 0)).isInstanceOf(InvalidTimestampException.class);
            assertThat(log.logEndOffset()).isZero();

            log.appendAsLeader(TestBatches.builder().timestamp(NOW_MS - 1000).build(), 0);
            assertThat(log.logEndOffset()).isEqualTo(1);
        }
    }

    @Test
    void shouldRewriteMaxTimestampForLogAppendTimeAndKeepCrcValid() throws Exception {
        LogConfig config = LogConfig.defaults().withLogAppendTime(true).withTimestampBoundsMs(0, 0);
        try (UnifiedLog log = open(config)) {
            LogAppendInfo info = log.appendAsLeader(
                    TestBatches.builder().records(3).timestamp(5).build(), 0);

            assertThat(info.logAppendTimeMs()).isEqualTo(NOW_MS);
            assertThat(info.maxTimestamp()).isEqualTo(NOW_MS);
            view.wrap(readAll(log, 0).get(0), 0);
            assertThat(view.timestampTypeIsLogAppendTime()).isTrue();
            assertThat(view.maxTimestamp()).isEqualTo(NOW_MS);
            assertThat(view.baseTimestamp()).isEqualTo(5);
            assertThat(view.isCrcValid()).isTrue();
        }
    }

    @Test
    void shouldRejectInvalidBatchAndWriteNothing() throws Exception {
        try (UnifiedLog log = open(smallConfig().withMaxMessageBytes(1000))) {
            ByteBuffer good = batch(1);
            ByteBuffer bad = batch(1);
            bad.put(bad.limit() - 1, (byte) 0x7F);
            ByteBuffer both = TestBatches.concat(good, bad);

            assertThatThrownBy(() -> log.appendAsLeader(both, 0)).isInstanceOf(InvalidBatchException.class);
            assertThatThrownBy(() -> log.appendAsLeader(
                            TestBatches.builder().records(3).valueBytes(2000).build(), 0))
                    .isInstanceOf(BatchTooLargeException.class);
            assertThat(log.logEndOffset()).isZero();
            assertThat(log.sizeInBytes()).isZero();
        }
    }

    @Test
    void shouldFindFirstBatchAtOrAfterTimestamp() throws Exception {
        try (UnifiedLog log = open(smallConfig())) {
            // Batch i has timestamps [NOW + 10i, NOW + 10i + 1]; batch 7 is out of order (older).
            for (int i = 0; i < 40; i++) {
                long ts = i == 7 ? NOW_MS - 500 : NOW_MS + 10L * i;
                log.appendAsLeader(
                        TestBatches.builder().records(2).timestamp(ts).build(), 0);
            }

            assertThat(log.findBatchByTimestamp(NOW_MS - 10_000).baseOffset()).isZero();
            assertThat(log.findBatchByTimestamp(NOW_MS + 101).baseOffset()).isEqualTo(20);
            assertThat(log.findBatchByTimestamp(NOW_MS + 102).baseOffset()).isEqualTo(22);
            BatchLocation last = log.findBatchByTimestamp(NOW_MS + 391);
            assertThat(last.baseOffset()).isEqualTo(78);
            assertThat(last.lastOffset()).isEqualTo(79);
            assertThat(last.maxTimestamp()).isEqualTo(NOW_MS + 391);
            assertThat(view.wrap(last.batch(), 0).isCrcValid()).isTrue();
            assertThat(log.findBatchByTimestamp(NOW_MS + 392)).isNull();
        }
    }

    @Test
    void shouldReturnFirstBatchWithMaxTimestampAlsoAfterReopen() throws Exception {
        LogConfig config = smallConfig();
        try (UnifiedLog log = open(config)) {
            assertThat(log.batchWithMaxTimestamp()).isNull();
            for (int i = 0; i < 30; i++) {
                long ts = i == 11 || i == 19 ? NOW_MS + 50_000 : NOW_MS + i;
                log.appendAsLeader(
                        TestBatches.builder()
                                .records(2)
                                .timestamp(ts)
                                .timestampStep(0)
                                .build(),
                        0);
            }
            assertThat(log.batchWithMaxTimestamp().baseOffset()).isEqualTo(22);
        }
        try (UnifiedLog log = open(config)) {
            BatchLocation max = log.batchWithMaxTimestamp();
            assertThat(max.baseOffset()).isEqualTo(22);
            assertThat(max.maxTimestamp()).isEqualTo(NOW_MS + 50_000);
            assertThat(log.findBatchByTimestamp(NOW_MS + 29).baseOffset()).isEqualTo(22);
        }
        try (UnifiedLog log = UnifiedLog.open(dir.resolve("topic-0"), config, clock::get, false, 0)) {
            assertThat(log.batchWithMaxTimestamp().baseOffset()).isEqualTo(22);
        }
    }

    @Test
    void shouldAdvanceRecoveryPointOnFlush() throws Exception {
        try (UnifiedLog log = open(smallConfig())) {
            assertThat(log.recoveryPoint()).isZero();
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(batch(2), 0);
            }
            assertThat(log.recoveryPoint()).isZero();

            log.flush();

            assertThat(log.recoveryPoint()).isEqualTo(40);
        }
    }

    @Test
    void shouldClampHighWatermarkToLog() throws Exception {
        try (UnifiedLog log = open(smallConfig())) {
            log.appendAsLeader(batch(5), 0);

            log.updateHighWatermark(3);
            assertThat(log.highWatermark()).isEqualTo(3);
            log.updateHighWatermark(99);
            assertThat(log.highWatermark()).isEqualTo(5);
            log.updateHighWatermark(-4);
            assertThat(log.highWatermark()).isZero();
        }
    }

    @Test
    void shouldApplyUpdatedConfigToNextAppend() throws Exception {
        try (UnifiedLog log = open(LogConfig.defaults())) {
            log.appendAsLeader(batch(1), 0);
            log.updateConfig(LogConfig.defaults().withSegmentBytes(100));

            log.appendAsLeader(batch(1), 0);

            assertThat(log.config().segmentBytes()).isEqualTo(100);
            assertThat(log.numberOfSegments()).isEqualTo(2);
        }
    }

    @Test
    void shouldDeleteDirectoryOnCloseAndDelete() throws Exception {
        UnifiedLog log = open(smallConfig());
        log.appendAsLeader(batch(1), 0);

        log.closeAndDelete();

        assertThat(Files.exists(log.dir())).isFalse();
    }

    @Test
    void shouldServeReadsConcurrentlyWithAppends() throws Exception {
        try (UnifiedLog log = open(smallConfig())) {
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 500; i++) {
                        log.appendAsLeader(batch(2), 0);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            writer.start();
            long next = 0;
            while (next < 1000) {
                long leo = log.logEndOffset();
                if (next < leo) {
                    FetchDataInfo info = log.read(next, 1 << 16, Long.MAX_VALUE, true);
                    assertThat(info.isEmpty()).isFalse();
                    ByteBuffer buf = ByteBuffer.allocate(info.sizeInBytes());
                    LogFiles.readFully(info.channel(), buf, info.position());
                    for (int pos = 0; pos < buf.limit(); pos += view.sizeInBytes()) {
                        view.wrap(buf, pos);
                        assertThat(view.baseOffset()).isEqualTo(next);
                        assertThat(view.isCrcValid()).isTrue();
                        next = view.lastOffset() + 1;
                    }
                }
            }
            writer.join(10_000);
            assertThat(log.logEndOffset()).isEqualTo(1000);
        }
    }
}
