package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.readAll;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.record.RecordBatchView;
import io.piste.storage.record.TestBatches;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The indexes of inactive segments are not held in heap: reads at old offsets go through their files. */
class InactiveSegmentIndexTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private UnifiedLog open(boolean clean, long recoveryPoint) throws Exception {
        return UnifiedLog.open(dir.resolve("topic-0"), smallConfig(), clock::get, clean, recoveryPoint);
    }

    private static List<ByteBuffer> appendBatches(UnifiedLog log, int count) throws Exception {
        List<ByteBuffer> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuffer b =
                    TestBatches.builder().records(2).timestamp(NOW_MS + i).build();
            log.appendAsLeader(b, 0);
            written.add(b);
        }
        return written;
    }

    private static void assertOnlyActiveSegmentIndexesInHeap(UnifiedLog log) {
        LogSegment active = log.segmentsForTest().lastEntry().getValue();
        for (LogSegment s : log.segmentsForTest().values()) {
            boolean isActive = s == active;
            assertThat(s.offsetIndex().inHeap()).as("%s", s).isEqualTo(isActive);
            assertThat(s.timeIndex().inHeap()).as("%s", s).isEqualTo(isActive);
        }
    }

    @Test
    void shouldDropInactiveIndexesAtRollAndReadEveryOffsetBack() throws Exception {
        try (UnifiedLog log = open(true, 0)) {
            List<ByteBuffer> written = appendBatches(log, 200);

            assertThat(log.numberOfSegments()).isGreaterThan(20);
            assertOnlyActiveSegmentIndexesInHeap(log);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(written);
            RecordBatchView view = new RecordBatchView();
            for (long offset = 0; offset < log.logEndOffset(); offset += 7) {
                FetchDataInfo info = log.read(offset, 1 << 20, Long.MAX_VALUE, false);
                ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
                LogFiles.readFully(info.channel(), header, info.position());
                view.wrap(header.flip(), 0);
                assertThat(view.baseOffset()).isLessThanOrEqualTo(offset);
                assertThat(view.lastOffset()).isGreaterThanOrEqualTo(offset);
            }
            for (int i = 0; i < 200; i += 13) {
                long target = NOW_MS + i;
                long expected = -1;
                for (ByteBuffer b : written) {
                    if (view.wrap(b, 0).maxTimestamp() >= target) {
                        expected = view.baseOffset();
                        break;
                    }
                }
                assertThat(log.findBatchByTimestamp(target).baseOffset()).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldDropInactiveIndexesAfterACleanAndAnUncleanOpen() throws Exception {
        List<ByteBuffer> written;
        try (UnifiedLog log = open(true, 0)) {
            written = appendBatches(log, 100);
        }
        try (UnifiedLog log = open(true, 0)) {
            assertOnlyActiveSegmentIndexesInHeap(log);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(written);
        }
        try (UnifiedLog log = open(false, 0)) {
            assertThat(log.recoveredBatchCount()).as("scanned from the start").isEqualTo(100);
            assertOnlyActiveSegmentIndexesInHeap(log);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(written);
            written.addAll(appendBatches(log, 5));
            assertThat(readAll(log, 0)).containsExactlyElementsOf(written);
        }
    }

    @Test
    void shouldReadRightRecordsFromASegmentWhoseIndexFileWasDamagedAfterTheRoll() throws Exception {
        List<ByteBuffer> written;
        Path logDir;
        try (UnifiedLog log = open(true, 0)) {
            written = appendBatches(log, 100);
            logDir = log.dir();
            long victim = log.segmentsForTest().firstKey();
            // Garbage of the right size: the entries are out of order.
            try (FileChannel ch = FileChannel.open(LogFiles.indexFile(logDir, victim), StandardOpenOption.WRITE)) {
                ch.write(
                        ByteBuffer.allocate(8)
                                .putInt(0x7fffffff)
                                .putInt(0x7fffffff)
                                .flip(),
                        0);
            }

            assertThat(readAll(log, 0))
                    .as("the segment's headers walked instead")
                    .containsExactlyElementsOf(written);
        }
        try (UnifiedLog log = open(true, 0)) {
            assertThat(log.recoveredBatchCount())
                    .as("the load rebuilds the index")
                    .isPositive();
            assertThat(readAll(log, 0)).containsExactlyElementsOf(written);
        }
    }
}
