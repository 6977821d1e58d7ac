package io.piste.bench.index;

import io.piste.bench.fixture.TempDirs;
import io.piste.storage.index.OffsetIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost, per index entry, of getting entries into an index file. {@code pwritePerEntry}: one 8-byte positional
 * write per entry on a channel held open, as the indexes did when each segment kept its index files open.
 * {@code batchThroughShortLivedChannel}: what {@link OffsetIndex} does now, entries added in memory and written
 * {@code batchEntries} at a time through a channel opened and closed for the write (LogSegment.flush writes once
 * 16 are pending). Neither fsyncs. The file is cut back every iteration so that it stays small.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IndexWriteBenchmark {
    private static final int BATCH_ENTRIES = 16;

    @Param({"disk", "tmpfs"})
    String logDir;

    private Path dir;
    private Path file;
    private FileChannel held;
    private final ByteBuffer entry = ByteBuffer.allocate(OffsetIndex.ENTRY_SIZE_BYTES);
    private long position;
    private OffsetIndex index;
    private long nextOffset;

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = "tmpfs".equals(logDir)
                ? Files.createTempDirectory(Paths.get("/dev/shm"), "piste-bench-index")
                : TempDirs.create("index-write");
        file = dir.resolve("00000000000000000000.index");
        held = FileChannel.open(
                dir.resolve("held.index"),
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        position = 0;
        index = OffsetIndex.open(file, IndexWriteBenchmark::openChannel, 0, Integer.MAX_VALUE);
        nextOffset = 1;
    }

    private static FileChannel openChannel(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        held.close();
        index.close();
        TempDirs.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH_ENTRIES)
    public long pwritePerEntry() throws IOException {
        for (int i = 0; i < BATCH_ENTRIES; i++) {
            entry.clear();
            entry.putInt(i).putInt((int) position).flip();
            position += held.write(entry, position);
        }
        if (position > (1 << 20)) {
            held.truncate(0);
            position = 0;
        }
        return position;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH_ENTRIES)
    public boolean batchThroughShortLivedChannel() {
        for (int i = 0; i < BATCH_ENTRIES; i++) {
            index.append(nextOffset, (int) nextOffset);
            nextOffset++;
        }
        if (index.entries() > (1 << 17)) {
            index.truncateToEntries(0);
            nextOffset = 1;
        }
        return index.tryPersist();
    }
}
