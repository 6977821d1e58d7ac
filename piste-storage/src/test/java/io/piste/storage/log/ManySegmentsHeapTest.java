package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.index.IndexCache;
import io.piste.storage.record.RecordBatchView;
import io.piste.storage.record.TestBatches;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Logs holding 5,000 small segments (10 partitions of 500, 200 index entries in each segment, both indexes) open
 * and serve reads at their oldest offsets with the index heap of their 10 active segments plus the bounded
 * {@link IndexCache}: the index entries of the 4,990 inactive segments (6 MiB of long[] in heap before they were
 * read on demand) are not held.
 *
 * <p>Two measures: the indexes' own accounting (exact: what they and the cache hold), and, as a sanity check
 * against something else growing with the segment count, the heap used after a full GC, with a bound loose enough
 * for a busy machine (the smallest of three measures, each after {@code System.gc()}, which is a full collection
 * with G1 and the serial collector).
 */
class ManySegmentsHeapTest {
    private static final int LOGS = 10;
    private static final int SEGMENTS_PER_LOG = 500;
    private static final int BATCHES_PER_SEGMENT = 200;
    /**
     * Heap a segment may keep after the open and the reads, index entries not counted: the segment, its open log
     * channel, paths and the two index objects (about 1.3 KiB measured). Its index entries alone were 6 KiB.
     */
    private static final long MAX_HEAP_PER_SEGMENT_BYTES = 3 * 1024;

    /** On tmpfs where there is one: 10,000 index fsyncs at the rolls would take most of the test's time on a disk. */
    @TempDir(factory = TmpfsFirst.class)
    Path dir;

    private final AtomicLong clock = new AtomicLong(NOW_MS);

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldOpenAndReadFiveThousandSegmentsWithoutHoldingTheirIndexes() throws Exception {
        int batchBytes = batch(0).remaining();
        LogConfig config = LogConfig.defaults()
                .withSegmentBytes(batchBytes * BATCHES_PER_SEGMENT)
                .withIndexIntervalBytes(1);
        List<ByteBuffer> firstBatches = write(config);

        long before = heapUsedAfterGc();
        List<UnifiedLog> logs = new ArrayList<>();
        try {
            for (int p = 0; p < LOGS; p++) {
                logs.add(UnifiedLog.open(dir.resolve("t-" + p), config, clock::get, true, 0));
            }
            long segments =
                    logs.stream().mapToLong(UnifiedLog::numberOfSegments).sum();
            assertThat(segments).isGreaterThanOrEqualTo((long) LOGS * SEGMENTS_PER_LOG);
            assertIndexHeapOfActiveSegmentsOnly(logs);
            long afterOpen = heapUsedAfterGc();

            for (int p = 0; p < LOGS; p++) {
                UnifiedLog log = logs.get(p);
                // The oldest segments, each read at its start and in its middle.
                for (long offset = 0; offset < 100L * BATCHES_PER_SEGMENT; offset += BATCHES_PER_SEGMENT / 2) {
                    assertBatchAt(log, offset);
                }
                FetchDataInfo first = log.read(0, batchBytes, Long.MAX_VALUE, true);
                ByteBuffer read = ByteBuffer.allocate(first.sizeInBytes());
                LogFiles.readFully(first.channel(), read, first.position());
                assertThat(read.flip()).isEqualTo(firstBatches.get(p));
            }
            assertIndexHeapOfActiveSegmentsOnly(logs);
            IndexCache cache = IndexCache.shared();
            assertThat(cache.bytes()).isPositive().isLessThanOrEqualTo(cache.maxBytes());
            long afterReads = heapUsedAfterGc();

            long perSegmentOpen = (afterOpen - before) / segments;
            long perSegmentRead = (afterReads - before - cache.bytes()) / segments;
            System.out.printf(
                    "ManySegmentsHeapTest: segments=%d heapPerSegmentAfterOpen=%dB heapPerSegmentAfterReads=%dB "
                            + "(cache not counted) cacheBytes=%d%n",
                    segments, perSegmentOpen, perSegmentRead, cache.bytes());
            assertThat(perSegmentOpen).isLessThanOrEqualTo(MAX_HEAP_PER_SEGMENT_BYTES);
            assertThat(perSegmentRead).isLessThanOrEqualTo(MAX_HEAP_PER_SEGMENT_BYTES);
        } finally {
            for (UnifiedLog log : logs) {
                log.close();
            }
        }
    }

    /** Writes the logs, closes them; returns each log's first batch as written. */
    private List<ByteBuffer> write(LogConfig config) throws Exception {
        List<ByteBuffer> first = new ArrayList<>();
        for (int p = 0; p < LOGS; p++) {
            try (UnifiedLog log = UnifiedLog.open(dir.resolve("t-" + p), config, clock::get, true, 0)) {
                for (int i = 0; log.numberOfSegments() <= SEGMENTS_PER_LOG; i++) {
                    ByteBuffer b = batch(i);
                    if (i == 0) {
                        first.add(b.duplicate());
                    }
                    log.appendAsLeader(b, 0);
                }
            }
        }
        return first;
    }

    private static ByteBuffer batch(int i) {
        // Timestamps that grow: every batch adds a time-index entry too.
        return TestBatches.builder().records(1).timestamp(NOW_MS + i).build();
    }

    private static void assertBatchAt(UnifiedLog log, long offset) throws Exception {
        FetchDataInfo info = log.read(offset, 1, Long.MAX_VALUE, true);
        ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
        LogFiles.readFully(info.channel(), header, info.position());
        RecordBatchView view = new RecordBatchView().wrap(header.flip(), 0);
        assertThat(view.baseOffset()).as("batch at offset %d", offset).isEqualTo(offset);
        assertThat(view.maxTimestamp()).isEqualTo(NOW_MS + offset);
    }

    private static void assertIndexHeapOfActiveSegmentsOnly(List<UnifiedLog> logs) {
        long inHeap = 0;
        int segmentsInHeap = 0;
        for (UnifiedLog log : logs) {
            for (LogSegment s : log.segmentsForTest().values()) {
                long bytes = s.offsetIndex().heapBytes() + s.timeIndex().heapBytes();
                inHeap += bytes;
                segmentsInHeap += bytes > 0 ? 1 : 0;
            }
        }
        assertThat(segmentsInHeap)
                .as("only the active segments hold index entries")
                .isLessThanOrEqualTo(LOGS);
        // An active segment's arrays: up to 256 offset and 512 time slots here (200 entries, grown by doubling).
        assertThat(inHeap).isLessThanOrEqualTo(LOGS * (256 + 512) * 8L);
    }

    private static long heapUsedAfterGc() throws InterruptedException {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            min = Math.min(
                    min,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return min;
    }

    /** A temporary directory in /dev/shm when it is a writable directory, else in the default place. */
    static final class TmpfsFirst implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension)
                throws java.io.IOException {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                return Files.createTempDirectory(shm, "piste-heap-");
            }
            return Files.createTempDirectory("piste-heap-");
        }
    }
}
