package io.piste.bench.record;

import io.piste.bench.fixture.RecordBatches;
import io.piste.storage.record.BatchValidator;
import io.piste.storage.record.RecordBatchView;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the produce path checks for each batch a client sends: sizes, magic, CRC32C over the whole batch and
 * the record count. Compressed batches are never decompressed, so their cost follows the compressed size.
 * {@code wrap} is called per batch as the log does; one view is reused (no allocation expected).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchValidatorBenchmark {

    @Param({"none", "lz4"})
    String compression;

    /** Netty hands the broker frames in pooled direct buffers; heap is what tests and tools use. */
    @Param({"direct", "heap"})
    String memory;

    @Param("16384")
    int uncompressedBytes;

    @Param("1024")
    int recordBytes;

    private final RecordBatchView view = new RecordBatchView();
    private ByteBuffer batch;
    private int size;

    @Setup
    public void setUp() {
        batch = RecordBatches.batch(compression, uncompressedBytes, recordBytes, "direct".equals(memory));
        size = batch.remaining();
    }

    @Benchmark
    public int validate() {
        view.wrap(batch, 0);
        BatchValidator.validate(view, size, Integer.MAX_VALUE);
        return view.recordCount();
    }
}
