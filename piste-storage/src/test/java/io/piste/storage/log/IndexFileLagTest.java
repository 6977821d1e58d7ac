package io.piste.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.index.OffsetIndex;
import io.piste.storage.index.TimeIndex;
import io.piste.storage.record.TestBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads through the indexes find every offset and timestamp: while the log is open (after rolls), after a clean
 * close and reopen, and after an unclean reopen whose index files lag behind (a prefix), lag each other (the time
 * index behind the offset index) or end in zeros. The indexes are written in batches, so their files lag by design.
 */
@Timeout(120)
class IndexFileLagTest {
    private static final int MIN_BATCHES = 200;
    /** Batches from the spike to the end, all in one segment (a segment holds about 50). */
    private static final int SPIKE_TO_END_BATCHES = 30;

    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();
    /** Segments of many index entries (more than one write batch), so the active segment's file can lag. */
    private final LogConfig config =
            LogConfig.defaults().withSegmentBytes(16 * 1024).withIndexIntervalBytes(128);

    private long spikeOffset = -1;

    private record Written(long baseOffset, long lastOffset, long maxTimestamp) {}

    private Path logDir() {
        return dir.resolve("topic-0");
    }

    private UnifiedLog open(boolean clean, long recoveryPoint) throws IOException {
        return UnifiedLog.open(logDir(), config, clock::get, clean, recoveryPoint);
    }

    @Test
    void shouldFindEveryOffsetAndTimestampAfterRollsAndCleanReopen() throws Exception {
        List<Written> written;
        try (UnifiedLog log = open(true, 0)) {
            written = write(log);
            assertThat(log.numberOfSegments()).isGreaterThan(3);
            log.flush();
            assertFindsEverything(log, written);
        }
        try (UnifiedLog log = open(true, 0)) {
            assertThat(log.recoveredBatchCount()).isZero();
            assertFindsEverything(log, written);
        }
    }

    @Test
    void shouldFindEverythingAfterUncleanReopenWithLaggingIndexFiles() throws Exception {
        List<Written> written = writeAndClose();
        Path active = lastSegment(LogFiles.LOG_SUFFIX);
        Path index = active.resolveSibling(active.getFileName().toString().replace(".log", ".index"));
        Path timeIndex = active.resolveSibling(active.getFileName().toString().replace(".log", ".timeindex"));
        long entries = Files.size(index) / OffsetIndex.ENTRY_SIZE_BYTES;
        assertThat(entries).isGreaterThan(4);
        cut(index, entries - 3, OffsetIndex.ENTRY_SIZE_BYTES);
        // The time index lags behind the offset index: its entries end before the spike, the offset index's after.
        long base = LogFiles.offsetFromFileName(active.getFileName().toString(), LogFiles.LOG_SUFFIX);
        cut(timeIndex, timeEntriesBefore(timeIndex, spikeOffset - base), TimeIndex.ENTRY_SIZE_BYTES);
        assertThat(Files.size(timeIndex)).isPositive();

        try (UnifiedLog log = open(false, written.get(written.size() - 1).lastOffset())) {
            assertFindsEverything(log, written);
        }
        try (UnifiedLog log = open(true, 0)) {
            assertFindsEverything(log, written);
        }
    }

    @Test
    void shouldFindEverythingAfterUncleanReopenWithoutTimeIndexOrWithZeroedTail() throws Exception {
        List<Written> written = writeAndClose();
        long recoveryPoint = written.get(written.size() - 1).lastOffset();
        Path timeIndex = lastSegment(LogFiles.TIME_INDEX_SUFFIX);
        Files.write(timeIndex, new byte[0]);
        try (UnifiedLog log = open(false, recoveryPoint)) {
            assertFindsEverything(log, written);
        }
        timeIndex = lastSegment(LogFiles.TIME_INDEX_SUFFIX);
        long size = Files.size(timeIndex);
        assertThat(size).isGreaterThanOrEqualTo(2L * TimeIndex.ENTRY_SIZE_BYTES);
        try (FileChannel ch = FileChannel.open(timeIndex, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(2 * TimeIndex.ENTRY_SIZE_BYTES), size - 2 * TimeIndex.ENTRY_SIZE_BYTES);
        }
        try (UnifiedLog log = open(false, recoveryPoint)) {
            assertFindsEverything(log, written);
        }
    }

    private List<Written> writeAndClose() throws IOException {
        try (UnifiedLog log = open(true, 0)) {
            return write(log);
        }
    }

    /**
     * Batches whose timestamps mostly rise and sometimes fall back, over several segments; a few batches into the
     * last segment, one jumps ahead: that segment's max timestamp then sits in a batch far before its end.
     */
    private List<Written> write(UnifiedLog log) throws IOException {
        Random random = new Random(7);
        List<Written> written = new ArrayList<>();
        long ts = clock.get() - 1_000_000;
        int spikeAt = -1;
        int segments = log.numberOfSegments();
        for (int i = 0; spikeAt < 0 || i < spikeAt + SPIKE_TO_END_BATCHES; i++) {
            ts += random.nextInt(4) == 0 ? -50 : 20;
            long batchTs = i == spikeAt ? clock.get() + 600_000 : ts;
            ByteBuffer batch = TestBatches.builder()
                    .records(2)
                    .timestamp(batchTs)
                    .valueBytes(100)
                    .build();
            LogAppendInfo info = log.appendAsLeader(batch, 0);
            written.add(new Written(info.firstOffset(), info.lastOffset(), info.maxTimestamp()));
            if (i == spikeAt) {
                spikeOffset = info.firstOffset();
            }
            if (spikeAt < 0 && i >= MIN_BATCHES && log.numberOfSegments() != segments) {
                spikeAt = i + 5; // this batch opened a new segment
            }
            segments = log.numberOfSegments();
        }
        assertThat(log.numberOfSegments())
                .as("the spike is in the active segment")
                .isEqualTo(segments);
        return written;
    }

    private static void assertFindsEverything(UnifiedLog log, List<Written> written) throws IOException {
        assertThat(log.logEndOffset()).isEqualTo(written.get(written.size() - 1).lastOffset() + 1);
        for (Written w : written) {
            for (long offset = w.baseOffset(); offset <= w.lastOffset(); offset++) {
                FetchDataInfo info = log.read(offset, 1 << 20, Long.MAX_VALUE, true);
                assertThat(firstBaseOffset(info))
                        .as("batch holding offset %d", offset)
                        .isEqualTo(w.baseOffset());
            }
        }
        for (Written w : written) {
            for (long target : new long[] {w.maxTimestamp() - 1, w.maxTimestamp(), w.maxTimestamp() + 1}) {
                Written expected = firstAtOrAfter(written, target);
                BatchLocation found = log.findBatchByTimestamp(target);
                if (expected == null) {
                    assertThat(found).as("timestamp %d", target).isNull();
                } else {
                    assertThat(found).as("timestamp %d", target).isNotNull();
                    assertThat(found.baseOffset()).as("timestamp %d", target).isEqualTo(expected.baseOffset());
                }
            }
        }
        Written max = written.get(0);
        for (Written w : written) {
            if (w.maxTimestamp() > max.maxTimestamp()) {
                max = w;
            }
        }
        assertThat(log.batchWithMaxTimestamp().baseOffset()).isEqualTo(max.baseOffset());
    }

    private static Written firstAtOrAfter(List<Written> written, long timestamp) {
        for (Written w : written) {
            if (w.maxTimestamp() >= timestamp) {
                return w;
            }
        }
        return null;
    }

    private static long firstBaseOffset(FetchDataInfo info) throws IOException {
        assertThat(info.isEmpty()).isFalse();
        ByteBuffer header = ByteBuffer.allocate(8);
        LogFiles.readFully(info.channel(), header, info.position());
        return header.getLong(0);
    }

    private Path lastSegment(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(logDir())) {
            return files.filter(p -> p.toString().endsWith(suffix))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    /** How many entries of a time index file have a relative offset below {@code relativeOffset}. */
    private static long timeEntriesBefore(Path timeIndex, long relativeOffset) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(timeIndex));
        long n = 0;
        while (bytes.remaining() >= TimeIndex.ENTRY_SIZE_BYTES && bytes.getInt(bytes.position() + 8) < relativeOffset) {
            bytes.position(bytes.position() + TimeIndex.ENTRY_SIZE_BYTES);
            n++;
        }
        return n;
    }

    private static void cut(Path file, long entries, int entrySizeBytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(entries * entrySizeBytes);
        }
    }
}
