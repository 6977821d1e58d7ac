package io.piste.bench.index;

import io.piste.bench.fixture.TempDirs;
import io.piste.storage.index.IndexCache;
import io.piste.storage.index.OffsetIndex;
import io.piste.storage.index.TimeIndex;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lookups in a full-size segment's indexes: {@code entries} entries is a 1 GiB segment of 16 KiB batches with
 * index.interval.bytes=4096 (one entry per batch). Targets are random, so the binary search misses the cache
 * as a consumer fetching anywhere in the log does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IndexLookupBenchmark {
    private static final int TARGETS = 4096;
    private static final long BASE_OFFSET = 1_000_000L;
    private static final int RECORDS_PER_BATCH = 16;
    private static final int BATCH_BYTES = 16_500;
    private static final long FIRST_TIMESTAMP_MS = 1_700_000_000_000L;

    @Param("65536")
    int entries;

    /**
     * {@code heap}: the entries in heap, as an active segment's; {@code file}: dropped from heap as an inactive
     * segment's, so a lookup takes them from the shared {@link IndexCache} (which holds them after the first).
     */
    @Param({"heap", "file"})
    String entriesIn;

    private Path dir;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private final long[] offsetTargets = new long[TARGETS];
    private final long[] timestampTargets = new long[TARGETS];
    private int next;

    @Setup
    public void fillIndexes() throws IOException {
        dir = TempDirs.create("index");
        int maxIndexBytes = entries * TimeIndex.ENTRY_SIZE_BYTES;
        offsetIndex = OffsetIndex.open(dir.resolve("0.index"), IndexLookupBenchmark::open, BASE_OFFSET, maxIndexBytes);
        timeIndex = TimeIndex.open(dir.resolve("0.timeindex"), IndexLookupBenchmark::open, BASE_OFFSET, maxIndexBytes);
        for (int i = 0; i < entries; i++) {
            long offset = BASE_OFFSET + (long) i * RECORDS_PER_BATCH;
            offsetIndex.append(offset, i * BATCH_BYTES);
            timeIndex.maybeAppend(FIRST_TIMESTAMP_MS + i * 10L, offset);
        }
        if (entriesIn.equals("file")) {
            offsetIndex.tryPersist();
            timeIndex.tryPersist();
            offsetIndex.dropFromHeap();
            timeIndex.dropFromHeap();
        }
        Random random = new Random(11);
        long span = (long) entries * RECORDS_PER_BATCH;
        for (int i = 0; i < TARGETS; i++) {
            offsetTargets[i] = BASE_OFFSET + (long) (random.nextDouble() * span);
            timestampTargets[i] = FIRST_TIMESTAMP_MS + (long) (random.nextDouble() * entries * 10L);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @TearDown
    public void deleteIndexes() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        TempDirs.delete(dir);
    }

    @Benchmark
    public long offsetIndexLookup() {
        return offsetIndex.lookup(offsetTargets[next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public long timeIndexLookup() {
        return timeIndex.lookup(timestampTargets[next++ & (TARGETS - 1)]);
    }

    /**
     * A lookup that misses the cache (cleared first): the cost of the first lookup of an inactive segment's index
     * after its entries were dropped or evicted, one open, read and close of the file plus the decode. Meaningful
     * only with {@code entriesIn=file}.
     */
    @Benchmark
    public long offsetIndexLookupAfterCacheMiss() {
        IndexCache.shared().clear();
        return offsetIndex.lookup(offsetTargets[next++ & (TARGETS - 1)]);
    }
}
