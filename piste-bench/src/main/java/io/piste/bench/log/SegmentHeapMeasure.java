package io.piste.bench.log;

import io.piste.bench.fixture.RecordBatches;
import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Heap held per 1,000 segments by open logs (not a JMH benchmark: one measure of retained heap). Writes
 * {@code logs} logs of {@code segmentsPerLog} segments of {@code segmentBytes} (1 KiB batches, an index entry each
 * {@code indexIntervalBytes}), closes them, then opens them all, reads each at its oldest offsets and at its end, and
 * reports the heap used after a full GC above what it was before the open, per 1,000 segments. Uses only the public
 * log API, so that the same file measures another build. Run:
 *
 * <pre>
 * java -cp piste-bench/target/benchmarks.jar io.piste.bench.log.SegmentHeapMeasure /dev/shm/heap 10 500 65536 256
 * </pre>
 */
public final class SegmentHeapMeasure {
    private SegmentHeapMeasure() {}

    public static void main(String[] args) throws Exception {
        Path root = Files.createDirectories(Path.of(args[0]));
        int logs = Integer.parseInt(args[1]);
        int segmentsPerLog = Integer.parseInt(args[2]);
        int segmentBytes = Integer.parseInt(args[3]);
        int indexIntervalBytes = Integer.parseInt(args[4]);
        LogConfig config =
                LogConfig.defaults().withSegmentBytes(segmentBytes).withIndexIntervalBytes(indexIntervalBytes);
        try {
            ByteBuffer batch = RecordBatches.batch("none", 1024, 100, false);
            for (int p = 0; p < logs; p++) {
                try (UnifiedLog log = open(root, p, config)) {
                    while (log.numberOfSegments() <= segmentsPerLog) {
                        log.appendAsLeader(batch.duplicate(), 0);
                    }
                }
            }
            long before = heapUsedAfterGc();
            List<UnifiedLog> opened = new ArrayList<>();
            long segments = 0;
            long readBytes = 0;
            for (int p = 0; p < logs; p++) {
                UnifiedLog log = open(root, p, config);
                opened.add(log);
                segments += log.numberOfSegments();
                long end = log.logEndOffset();
                for (long offset = 0; offset < end / 10; offset += end / 1000 + 1) {
                    readBytes += read(log, offset);
                }
                readBytes += read(log, end - 1);
            }
            long after = heapUsedAfterGc();
            System.out.printf(
                    "segments=%d logs=%d segmentBytes=%d indexIntervalBytes=%d readBytes=%d heapAboveBaseline=%d "
                            + "heapPer1000Segments=%d%n",
                    segments,
                    logs,
                    segmentBytes,
                    indexIntervalBytes,
                    readBytes,
                    after - before,
                    (after - before) * 1000 / segments);
            for (UnifiedLog log : opened) {
                log.close();
            }
        } finally {
            deleteRecursively(root);
        }
    }

    private static UnifiedLog open(Path root, int p, LogConfig config) throws IOException {
        return UnifiedLog.open(root.resolve("heap-" + p), config, System::currentTimeMillis, true, 0L);
    }

    private static long read(UnifiedLog log, long offset) throws IOException {
        FetchDataInfo info = log.read(offset, 1 << 20, Long.MAX_VALUE, true);
        return info.sizeInBytes();
    }

    private static long heapUsedAfterGc() throws InterruptedException {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            min = Math.min(
                    min,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return min;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
