package io.piste.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.log.CompactionAccess.SegmentInfo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment swap with retention's machinery around it: the replaced segments go through the log's
 * {@link SegmentDeleter} (renamed {@code .deleted}, removed after {@code file.delete.delay.ms}, readable until then),
 * the swapped-in segment reads its indexes on demand like any inactive segment, and the log start offset and the swap
 * agree (no segment wholly below it is swapped, and a swap never moves it). The "cleaning" copies the old segments'
 * bytes end to end, as one that removes nothing does, so every read can be compared with the log before.
 */
class CompactionSwapTest {
    private static final long DELETE_DELAY_MS = 30_000L;

    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();
    private final List<Long> delays = new ArrayList<>();
    private final List<Runnable> due = new ArrayList<>();
    private final SegmentDeleter deleter = new SegmentDeleter((task, delayMs) -> {
        delays.add(delayMs);
        due.add(task);
    });

    @Test
    @Timeout(30)
    void shouldDeleteReplacedSegmentsThroughTheSegmentDeleterAndKeepThemReadableUntilThen() throws Exception {
        try (UnifiedLog log = openWithData()) {
            List<ByteBuffer> before = LogTestSupport.readAll(log, 0);
            List<Long> bases = new ArrayList<>(log.segmentsForTest().keySet());
            LogSegment oldSecond = log.segmentsForTest().get(bases.get(1));

            assertThat(copyInto(log, bases.subList(0, 2))).isTrue();

            assertThat(log.segmentsForTest().keySet()).contains(bases.get(0)).doesNotContain(bases.get(1));
            assertThat(LogTestSupport.readAll(log, 0)).isEqualTo(before);
            for (long offset = 0; offset < log.logEndOffset(); offset++) {
                assertThat(LogTestSupport.readAll(log, offset)).isNotEmpty();
            }
            LogSegment swapped = log.segmentsForTest().get(bases.get(0));
            assertThat(swapped.offsetIndex().inHeap())
                    .as("an inactive segment's index is read on demand")
                    .isFalse();
            assertThat(swapped.timeIndex().inHeap()).isFalse();
            assertThat(log.logStartOffset()).isZero();

            // Retention's deleter holds them: renamed, still open for a read that found them, gone after the delay.
            assertThat(deleter.pendingCount()).isEqualTo(2);
            assertThat(delays).containsExactly(DELETE_DELAY_MS, DELETE_DELAY_MS);
            assertThat(files(".log.deleted")).hasSize(2);
            FetchDataInfo stillReadable = oldSecond.read(bases.get(1), 1 << 20, Long.MAX_VALUE, true);
            assertThat(stillReadable.sizeInBytes()).isPositive();
            due.forEach(Runnable::run);
            assertThat(deleter.pendingCount()).isZero();
            assertThat(files(".deleted")).isEmpty();
        }
        try (UnifiedLog reopened = UnifiedLog.open(dir, config(), clock::get, true, 0)) {
            assertThat(reopened.logStartOffset()).isZero();
            assertThat(reopened.numberOfSegments()).isGreaterThan(2);
        }
    }

    @Test
    @Timeout(30)
    void shouldNeverSwapSegmentsWhollyBelowTheLogStartOffsetNorMoveIt() throws Exception {
        long logStart;
        List<ByteBuffer> expected;
        try (UnifiedLog log = openWithData()) {
            List<Long> bases = new ArrayList<>(log.segmentsForTest().keySet());
            assertThat(bases).hasSizeGreaterThan(4);
            CleanedSegment prepared = copy(log, bases.subList(0, 2));

            // DeleteRecords to the third segment, before the swap: the first two are retention's to delete now.
            log.retention().maybeIncrementLogStartOffset(bases.get(2));
            assertThat(log.compaction().inactiveSegments())
                    .extracting(SegmentInfo::baseOffset)
                    .startsWith(bases.get(2));
            assertThat(log.compaction().replace(prepared, bases.subList(0, 2), deleter))
                    .isFalse();
            assertThat(log.segmentsForTest().keySet()).containsAll(bases);
            assertThat(files(".swap")).isEmpty();
            assertThat(files(".cleaned")).isEmpty();

            // A log start offset inside the segment swapped stays where DeleteRecords put it.
            logStart = bases.get(2) + 1;
            log.retention().maybeIncrementLogStartOffset(logStart);
            expected = LogTestSupport.readAll(log, logStart);
            assertThat(copyInto(log, bases.subList(2, 4))).isTrue();
            assertThat(log.logStartOffset()).isEqualTo(logStart);
            assertThat(LogTestSupport.readAll(log, logStart)).isEqualTo(expected);

            assertThat(log.retention().deleteSegmentsBelowLogStart(deleter)).isEqualTo(2);
            assertThat(log.segmentsForTest().firstKey()).isEqualTo(bases.get(2));
        }
        // Left by a stop before the delay (swap and retention alike): the load removes every .deleted file.
        assertThat(files(".log.deleted")).hasSize(4);
        try (UnifiedLog reopened =
                UnifiedLog.open(dir, config(), clock::get, true, 0, logStart, FileChannelFactory.DEFAULT)) {
            assertThat(reopened.logStartOffset()).isEqualTo(logStart);
            assertThat(LogTestSupport.readAll(reopened, logStart)).isEqualTo(expected);
        }
        assertThat(files(".deleted")).isEmpty();
    }

    private static LogConfig config() {
        return LogTestSupport.smallConfig()
                .withCleanup(LogCleanupConfig.defaults().withPolicy(true, true).withFileDeleteDelayMs(DELETE_DELAY_MS));
    }

    /** A log of many small segments, everything fsynced and below the high watermark. */
    private UnifiedLog openWithData() throws Exception {
        UnifiedLog log = UnifiedLog.open(dir, config(), clock::get, true, 0);
        for (int i = 0; i < 80; i++) {
            log.appendAsLeader(LogTestSupport.batch(1 + i % 3), 0);
        }
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    /** Writes the bytes of segments {@code bases} end to end into a cleaned segment (nothing swapped yet). */
    private static CleanedSegment copy(UnifiedLog log, List<Long> bases) throws Exception {
        CompactionAccess access = log.compaction();
        CleanedSegment cleaned = access.createCleaned(bases.get(0));
        for (long base : bases) {
            ByteBuffer bytes =
                    ByteBuffer.allocate(log.segmentsForTest().get(base).sizeInBytes());
            int n = access.read(base, 0, bytes);
            assertThat(n).isEqualTo(bytes.capacity());
            bytes.flip();
            cleaned.append(bytes);
        }
        return cleaned;
    }

    private boolean copyInto(UnifiedLog log, List<Long> bases) throws Exception {
        return log.compaction().replace(copy(log, bases), bases, deleter);
    }

    private List<String> files(String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .toList();
        }
    }
}
