package io.piste.bench.log;

import io.piste.bench.fixture.RecordBatches;
import io.piste.bench.fixture.TempDirs;
import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
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
 * The fetch read path below {@code FetchReader}: {@link UnifiedLog#read} from a fetch offset to a file slice of
 * whole batches, in a log of many segments (segment lookup, offset index lookup, batch header walk). The bytes
 * themselves are not read: the broker sends the slice with sendfile.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UnifiedLogReadBenchmark {
    private static final int TARGETS = 1024;

    @Param("256")
    int segments;

    @Param("1048576")
    int segmentBytes;

    /** Kafka consumers ask for max.partition.fetch.bytes = 1 MiB; 16 KiB is a consumer at the log end. */
    @Param({"16384", "1048576"})
    int maxBytes;

    /**
     * Where the fetch offsets are: {@code anywhere} in the log (almost always an inactive segment, whose index is
     * read through the index cache), or in the {@code active} segment only (a consumer at the log end).
     */
    @Param({"anywhere", "active"})
    String target;

    private Path dir;
    private UnifiedLog log;
    private final long[] targets = new long[TARGETS];
    private int next;

    @Setup
    public void fillLog() throws IOException {
        dir = TempDirs.create("read");
        LogConfig config = LogConfig.defaults().withSegmentBytes(segmentBytes);
        log = UnifiedLog.open(dir.resolve("bench-0"), config, System::currentTimeMillis, false, 0L);
        ByteBuffer batch = RecordBatches.batch("none", 16384, 1024, true);
        while (log.numberOfSegments() < segments) {
            log.appendAsLeader(batch, 0);
        }
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
        Random random = new Random(7);
        // The active segment starts at the log end's segment base offset.
        long from = target.equals("active") ? log.places().logEnd().segmentBaseOffset() : 0;
        for (int i = 0; i < TARGETS; i++) {
            targets[i] = from + (long) (random.nextDouble() * (log.logEndOffset() - from));
        }
    }

    @TearDown
    public void deleteLog() throws IOException {
        log.closeAndDelete();
        TempDirs.delete(dir);
    }

    @Benchmark
    public int read() throws IOException {
        long offset = targets[next++ & (TARGETS - 1)];
        FetchDataInfo info = log.read(offset, maxBytes, log.highWatermark(), true);
        return info.sizeInBytes();
    }
}
