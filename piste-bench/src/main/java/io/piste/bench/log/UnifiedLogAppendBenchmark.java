package io.piste.bench.log;

import io.piste.bench.fixture.RecordBatches;
import io.piste.bench.fixture.TempDirs;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
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
 * {@link UnifiedLog#appendAsLeader} of one producer batch into a log in a temp dir: validation, offset
 * assignment in place, the positional write into the page cache, index entries. Nothing is fsynced.
 *
 * <p>Design note: a time-boxed iteration would append gigabytes (the log has no retention yet), so each
 * iteration is one shot of {@link #APPENDS} appends (128 MiB for 16 KiB batches) into a fresh log, and the score
 * is divided per append. The log is fsynced and deleted between iterations, outside the measurement.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(1)
public class UnifiedLogAppendBenchmark {
    static final int APPENDS = 8192;

    @Param({"none", "lz4"})
    String compression;

    @Param("16384")
    int uncompressedBytes;

    @Param("1024")
    int recordBytes;

    /** Kafka's default index.interval.bytes: with 16 KiB batches every batch gets an offset index entry. */
    @Param("4096")
    int indexIntervalBytes;

    private ByteBuffer batch;
    private Path dir;
    private UnifiedLog log;

    @Setup(Level.Trial)
    public void buildBatch() {
        batch = RecordBatches.batch(compression, uncompressedBytes, recordBytes, true);
    }

    @Setup(Level.Iteration)
    public void openLog() throws IOException {
        dir = TempDirs.create("append");
        LogConfig config =
                LogConfig.defaults().withSegmentBytes(64 * 1024 * 1024).withIndexIntervalBytes(indexIntervalBytes);
        log = UnifiedLog.open(dir.resolve("bench-0"), config, System::currentTimeMillis, false, 0L);
    }

    @TearDown(Level.Iteration)
    public void deleteLog() throws IOException {
        log.closeAndDelete();
        TempDirs.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(APPENDS)
    public long append() throws IOException {
        long last = 0;
        for (int i = 0; i < APPENDS; i++) {
            last = log.appendAsLeader(batch, 0).lastOffset();
        }
        return last;
    }
}
