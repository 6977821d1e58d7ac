package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.readAll;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.checkpoint.EpochEntry;
import io.piste.storage.errors.OffsetOutOfRangeException;
import io.piste.storage.record.RecordBatchView;
import io.piste.storage.record.TestBatches;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by time and size, DeleteRecords, and the log start offset through deletion, load and bad checkpoints. */
class LogRetentionTest {
    private static final long HOUR_MS = 3600_000L;

    @TempDir
    Path root;

    private final AtomicLong clock = LogTestSupport.clock();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final SegmentDeleter deleter = new SegmentDeleter(scheduler);
    private final List<ByteBuffer> written = new ArrayList<>();
    private final RecordBatchView view = new RecordBatchView();

    @AfterEach
    void stopScheduler() {
        deleter.close();
        scheduler.shutdownNow();
    }

    private Path dir() {
        return root.resolve("topic-0");
    }

    private UnifiedLog open(LogCleanupConfig cleanup) throws Exception {
        return UnifiedLog.open(dir(), smallConfig().withCleanup(cleanup), clock::get, true, 0);
    }

    private static LogCleanupConfig cleanup(long retentionMs, long retentionBytes) {
        return new LogCleanupConfig(true, false, retentionMs, retentionBytes, 60_000L);
    }

    /** Appends {@code count} batches of 3 records stamped {@code timestampMs}, flushes, moves the high watermark. */
    private void append(UnifiedLog log, int count, long timestampMs) throws Exception {
        append(log, count, timestampMs, 0);
    }

    private void append(UnifiedLog log, int count, long timestampMs, int leaderEpoch) throws Exception {
        for (int i = 0; i < count; i++) {
            ByteBuffer b = TestBatches.builder()
                    .records(3)
                    .timestamp(timestampMs)
                    .valueBytes(40)
                    .build();
            log.appendAsLeader(b, leaderEpoch);
            written.add(b);
        }
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
    }

    /** The batches written from {@code offset} on (each batch rewritten in place with its offsets). */
    private List<ByteBuffer> writtenFrom(long offset) {
        return written.stream()
                .filter(b -> view.wrap(b, 0).baseOffset() >= offset)
                .toList();
    }

    private List<String> files(String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir())) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    /** Base offsets of the segment files present, ascending. */
    private List<Long> segmentBases() throws Exception {
        return files(LogFiles.LOG_SUFFIX).stream()
                .map(n -> LogFiles.offsetFromFileName(n, LogFiles.LOG_SUFFIX))
                .toList();
    }

    @Test
    void shouldDeleteOnlyTheSegmentsWhoseLargestTimestampIsPastRetentionMs() throws Exception {
        try (UnifiedLog log = open(cleanup(HOUR_MS, -1))) {
            append(log, 20, NOW_MS - 2 * HOUR_MS); // expired
            append(log, 20, NOW_MS - HOUR_MS / 2); // within retention
            int before = log.numberOfSegments();
            assertThat(before).isGreaterThan(4);
            long firstFresh = view.wrap(written.get(20), 0).baseOffset();

            assertThat(log.retention().applyRetention(NOW_MS)).isTrue();

            // Whole segments only: the segment holding the first fresh batch stays, with its expired head.
            long lso = log.logStartOffset();
            assertThat(lso).isLessThanOrEqualTo(firstFresh).isGreaterThan(0);
            assertThat(log.places().place(lso, lso).segmentBaseOffset()).isEqualTo(lso);
            assertThatThrownBy(() -> log.read(lso - 1, 1 << 20, Long.MAX_VALUE, true))
                    .isInstanceOf(OffsetOutOfRangeException.class);
            int deleted = log.retention().deleteSegmentsBelowLogStart(deleter);

            assertThat(deleted).isPositive();
            assertThat(log.numberOfSegments()).isEqualTo(before - deleted);
            assertThat(files(".log.deleted")).hasSize(deleted);
            assertThat(readAll(log, lso)).containsExactlyElementsOf(writtenFrom(lso));
            assertThat(log.retention().applyRetention(NOW_MS)).isFalse();
        }
    }

    @Test
    void shouldDeleteOldestSegmentsWhileTheLogIsOverRetentionBytes() throws Exception {
        long retentionBytes = 3000;
        try (UnifiedLog log = open(cleanup(-1, retentionBytes))) {
            append(log, 60, NOW_MS);
            long sizeBefore = log.sizeInBytes();
            assertThat(sizeBefore).isGreaterThan(2 * retentionBytes);

            assertThat(log.retention().applyRetention(NOW_MS)).isTrue();
            log.retention().deleteSegmentsBelowLogStart(deleter);

            // Kafka's rule: a segment goes only if the log stays at or over retention.bytes without it.
            long lso = log.logStartOffset();
            assertThat(log.sizeInBytes()).isGreaterThanOrEqualTo(retentionBytes);
            long firstBytes = Files.size(LogFiles.logFile(dir(), segmentBases().get(0)));
            assertThat(log.sizeInBytes() - firstBytes).isLessThan(retentionBytes);
            assertThat(readAll(log, lso)).containsExactlyElementsOf(writtenFrom(lso));
        }
    }

    @Test
    void shouldKeepTheActiveSegmentUnlessAllOfItIsBelowTheHighWatermark() throws Exception {
        try (UnifiedLog log = open(cleanup(HOUR_MS, -1))) {
            append(log, 30, NOW_MS - 2 * HOUR_MS);
            ByteBuffer last = TestBatches.builder()
                    .records(2)
                    .timestamp(NOW_MS - 2 * HOUR_MS)
                    .build();
            log.appendAsLeader(last, 0); // not below the high watermark yet
            long activeBase = log.places().logEnd().segmentBaseOffset();

            log.retention().applyRetention(NOW_MS);
            log.retention().deleteSegmentsBelowLogStart(deleter);
            assertThat(log.logStartOffset()).isEqualTo(activeBase);
            assertThat(log.numberOfSegments()).isEqualTo(1);

            // Once wholly below the high watermark and expired, Kafka rolls and deletes it: one empty segment stays.
            log.flush();
            log.updateHighWatermark(log.logEndOffset());
            long end = log.logEndOffset();
            assertThat(log.retention().applyRetention(NOW_MS)).isTrue();
            assertThat(log.retention().deleteSegmentsBelowLogStart(deleter)).isEqualTo(1);
            assertThat(log.logStartOffset()).isEqualTo(end);
            assertThat(log.numberOfSegments()).isEqualTo(1);
            assertThat(log.sizeInBytes()).isZero();
            // An empty last segment never goes, and appends go on at the same offsets.
            assertThat(log.retention().applyRetention(NOW_MS + 10 * HOUR_MS)).isFalse();
            assertThat(log.appendAsLeader(TestBatches.batch(1, NOW_MS), 0).firstOffset())
                    .isEqualTo(end);
        }
    }

    @Test
    void shouldApplyNoTimeOrSizeRetentionWithoutDeleteInThePolicy() throws Exception {
        try (UnifiedLog log = open(new LogCleanupConfig(false, true, 1, 1, 0))) {
            append(log, 30, NOW_MS - 2 * HOUR_MS);
            int segments = log.numberOfSegments();

            assertThat(log.retention().applyRetention(NOW_MS)).isFalse();
            assertThat(log.retention().deleteSegmentsBelowLogStart(deleter)).isZero();
            assertThat(log.numberOfSegments()).isEqualTo(segments);
        }
    }

    @Test
    void shouldMoveTheLogStartOffsetForDeleteRecordsUpToTheHighWatermarkOnly() throws Exception {
        try (UnifiedLog log = open(cleanup(-1, -1))) {
            append(log, 30, NOW_MS);
            ByteBuffer unflushed = TestBatches.batch(1, NOW_MS);
            log.appendAsLeader(unflushed, 0);
            long hw = log.highWatermark();

            assertThatThrownBy(() -> log.retention().maybeIncrementLogStartOffset(hw + 1))
                    .isInstanceOf(OffsetOutOfRangeException.class);
            long target = view.wrap(written.get(17), 0).baseOffset() + 1; // inside a batch
            assertThat(log.retention().maybeIncrementLogStartOffset(target)).isTrue();
            assertThat(log.retention().maybeIncrementLogStartOffset(target - 1)).isFalse();
            assertThat(log.logStartOffset()).isEqualTo(target);
            int deleted = log.retention().deleteSegmentsBelowLogStart(deleter);

            assertThat(deleted).isPositive();
            assertThat(segmentBases().get(0)).isLessThanOrEqualTo(target);
            // A fetch at the log start gets the batch holding it, as Kafka answers.
            assertThat(readAll(log, target).get(0)).isEqualTo(written.get(17));
            assertThat(log.retention().maybeIncrementLogStartOffset(hw)).isTrue();
            assertThat(log.read(hw, 1 << 20, hw, true).isEmpty()).isTrue();
        }
    }

    @Test
    void shouldTrimTheLeaderEpochsOnlyOnceTheLogStartOffsetIsDurable() throws Exception {
        long epochOneStart;
        long epochTwoStart;
        long target;
        try (UnifiedLog log = open(cleanup(-1, -1))) {
            append(log, 10, NOW_MS, 0);
            epochOneStart = log.logEndOffset();
            append(log, 10, NOW_MS, 1);
            epochTwoStart = log.logEndOffset();
            append(log, 10, NOW_MS, 2);
            target = epochOneStart + 7;

            assertThat(log.retention().maybeIncrementLogStartOffset(target)).isTrue();
            // Not yet durable: the list (and its file) still describes the records a crash would bring back.
            assertThat(log.epochEntries())
                    .containsExactly(
                            new EpochEntry(0, 0), new EpochEntry(1, epochOneStart), new EpochEntry(2, epochTwoStart));
            assertThat(epochCheckpoint()).contains("\n0 0\n");

            log.retention().deleteSegmentsBelowLogStart(deleter);

            assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, target), new EpochEntry(2, epochTwoStart));
            assertThat(epochCheckpoint()).isEqualTo("0\n2\n1 " + target + "\n2 " + epochTwoStart + "\n");
            assertThat(log.endOffsetForEpoch(1)).isEqualTo(epochTwoStart);
        }
    }

    @Test
    void shouldTrimTheLeaderEpochsAtTheOpenWhenACrashCameBeforeTheirFileWasRewritten() throws Exception {
        long epochOneStart;
        try (UnifiedLog log = open(cleanup(-1, -1))) {
            append(log, 10, NOW_MS, 0);
            epochOneStart = log.logEndOffset();
            append(log, 10, NOW_MS, 1);
        }
        long checkpointed = epochOneStart + 4;
        try (UnifiedLog log =
                UnifiedLog.open(dir(), smallConfig(), clock::get, true, 0, checkpointed, FileChannelFactory.DEFAULT)) {
            assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, checkpointed));
        }
        assertThat(epochCheckpoint()).isEqualTo("0\n1\n1 " + checkpointed + "\n");
    }

    private String epochCheckpoint() throws Exception {
        return Files.readString(dir().resolve("leader-epoch-checkpoint"));
    }

    @Test
    void shouldKeepTheCheckpointedLogStartOffsetWithinTheSegmentsAtLoad() throws Exception {
        long end;
        long firstBase;
        try (UnifiedLog log = open(cleanup(-1, -1))) {
            append(log, 30, NOW_MS);
            end = log.logEndOffset();
            firstBase = log.logStartOffset();
        }
        LogConfig config = smallConfig();
        for (long[] c : new long[][] {{-5, firstBase}, {0, firstBase}, {17, 17}, {end, end}, {Long.MAX_VALUE, end}}) {
            try (UnifiedLog log =
                    UnifiedLog.open(dir(), config, clock::get, true, 0, c[0], FileChannelFactory.DEFAULT)) {
                assertThat(log.logStartOffset()).as("checkpoint %d", c[0]).isEqualTo(c[1]);
                assertThat(log.logEndOffset()).isEqualTo(end);
            }
        }
    }

    @Test
    void shouldRemoveDeletedFilesLeftByACrashAndNothingElseAtLoad() throws Exception {
        long lso;
        ScheduledExecutorService never = Executors.newSingleThreadScheduledExecutor();
        try (UnifiedLog log = open(cleanup(HOUR_MS, -1))) {
            append(log, 20, NOW_MS - 2 * HOUR_MS);
            append(log, 20, NOW_MS);
            log.retention().applyRetention(NOW_MS);
            lso = log.logStartOffset();
            log.retention().deleteSegmentsBelowLogStart(new SegmentDeleter(never)); // removal never runs
        } finally {
            never.shutdownNow();
        }
        assertThat(files(".deleted")).isNotEmpty();
        Files.writeString(dir().resolve("notes.txt"), "mine");
        Files.writeString(dir().resolve("00000000000000000000.log.keep"), "mine too");

        try (UnifiedLog log =
                UnifiedLog.open(dir(), smallConfig(), clock::get, false, 0, lso, FileChannelFactory.DEFAULT)) {
            assertThat(files(".deleted")).isEmpty();
            assertThat(Files.exists(dir().resolve("notes.txt"))).isTrue();
            assertThat(Files.exists(dir().resolve("00000000000000000000.log.keep")))
                    .isTrue();
            assertThat(log.logStartOffset()).isEqualTo(lso);
            assertThat(readAll(log, lso)).containsExactlyElementsOf(writtenFrom(lso));
        }
    }

    /**
     * A crash after the log start offset was checkpointed, with the renames partly undone: a segment below it is back
     * and the one after it is gone, a gap. Recovery (from offset 0, unclean) must not take the gap for a lost tail and
     * cut the log there; the segment below the log start goes with the next deletion.
     */
    @Test
    void shouldNotCutTheLogAtAGapBelowTheCheckpointedLogStartOffset() throws Exception {
        long lso;
        List<Long> bases = new ArrayList<>();
        try (UnifiedLog log = open(cleanup(-1, -1))) {
            append(log, 40, NOW_MS);
            bases.addAll(segmentBases());
            lso = bases.get(2);
        }
        assertThat(bases.size()).isGreaterThan(4);
        Files.delete(LogFiles.logFile(dir(), bases.get(1)));

        try (UnifiedLog log =
                UnifiedLog.open(dir(), smallConfig(), clock::get, false, 0, lso, FileChannelFactory.DEFAULT)) {
            assertThat(log.logStartOffset()).isEqualTo(lso);
            assertThat(log.logEndOffset())
                    .isEqualTo(view.wrap(written.get(39), 0).lastOffset() + 1);
            assertThat(readAll(log, lso)).containsExactlyElementsOf(writtenFrom(lso));
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.retention().deleteSegmentsBelowLogStart(deleter)).isEqualTo(1);
            assertThat(segmentBases().get(0)).isEqualTo(lso);
        }
    }

    @Test
    void shouldKeepADeletedSegmentReadableByAReaderHoldingItUntilTheDelayHasPassed() throws Exception {
        try (UnifiedLog log = open(cleanup(HOUR_MS, -1))) {
            append(log, 20, NOW_MS - 2 * HOUR_MS);
            append(log, 20, NOW_MS);
            FetchDataInfo inFlight = log.read(0, 1 << 20, Long.MAX_VALUE, true);
            log.retention().applyRetention(NOW_MS);
            log.retention().deleteSegmentsBelowLogStart(deleter);

            ByteBuffer bytes = ByteBuffer.allocate(inFlight.sizeInBytes());
            LogFiles.readFully(inFlight.channel(), bytes, inFlight.position());
            assertThat(view.wrap(bytes.flip(), 0).baseOffset()).isZero();

            deleter.close(); // the delay has passed
            assertThat(inFlight.channel().isOpen()).isFalse();
            assertThat(files(".deleted")).isEmpty();
            assertThatThrownBy(() -> log.read(0, 1 << 20, Long.MAX_VALUE, true))
                    .isInstanceOf(OffsetOutOfRangeException.class);
            log.flush(); // a flush never trips over a segment deleted meanwhile
            assertThat(log.isOffline()).isFalse();
        }
    }
}
