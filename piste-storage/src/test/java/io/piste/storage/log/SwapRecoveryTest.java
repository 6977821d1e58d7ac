package io.piste.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load finishes what a crash interrupted in a segment swap: a {@code .log.swap} replaces the segments in its
 * offset range (whether they are still {@code .log} files or already {@code .deleted}), a {@code .cleaned} file is
 * dropped, and a swap file that does not validate is dropped while the segments it would replace are there. The
 * swap here is the old segments' bytes end to end, as a cleaning that removed nothing writes it.
 */
class SwapRecoveryTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    @Test
    void shouldCompleteASwapWhoseOldSegmentsAreStillInPlace() throws Exception {
        List<ByteBuffer> before = writeLog();
        List<Long> bases = segmentBases();
        Files.write(swapOf(0), concat(bases.get(0), bases.get(1)));

        List<ByteBuffer> after = reopenAndReadAll();

        assertThat(after).isEqualTo(before);
        assertThat(segmentBases()).doesNotContain(bases.get(1)).contains(0L, bases.get(2));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void shouldCompleteASwapWhoseOldSegmentsWereAlreadyRenamedToDeleted() throws Exception {
        List<ByteBuffer> before = writeLog();
        List<Long> bases = segmentBases();
        Files.write(swapOf(0), concat(bases.get(0), bases.get(1)));
        for (long base : List.of(bases.get(0), bases.get(1))) {
            Files.move(
                    LogFiles.logFile(dir, base),
                    dir.resolve(LogFiles.logFile(dir, base).getFileName() + ".deleted"));
        }

        assertThat(reopenAndReadAll()).isEqualTo(before);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void shouldDropCleanedFilesAndASwapThatDoesNotValidate() throws Exception {
        List<ByteBuffer> before = writeLog();
        List<Long> bases = segmentBases();
        byte[] swap = concat(bases.get(0), bases.get(1));
        swap[swap.length - 3] ^= 0x55; // the last batch fails its CRC
        Files.write(swapOf(0), swap);
        Files.write(dir.resolve(LogFiles.logFile(dir, bases.get(1)).getFileName() + ".cleaned"), new byte[] {1, 2});

        assertThat(reopenAndReadAll()).isEqualTo(before);
        assertThat(segmentBases()).containsAll(bases);
        assertThat(leftovers()).isEmpty();
    }

    /** Three or more segments of small batches, closed cleanly; returns every batch. */
    private List<ByteBuffer> writeLog() throws Exception {
        try (UnifiedLog log = UnifiedLog.open(dir, LogTestSupport.smallConfig(), clock::get, true, 0)) {
            for (int i = 0; i < 40; i++) {
                log.appendAsLeader(LogTestSupport.batch(1 + i % 3), 0);
            }
            log.flush();
            assertThat(log.numberOfSegments()).isGreaterThanOrEqualTo(3);
            return LogTestSupport.readAll(log, 0);
        }
    }

    private List<ByteBuffer> reopenAndReadAll() throws Exception {
        try (UnifiedLog log = UnifiedLog.open(dir, LogTestSupport.smallConfig(), clock::get, false, 0)) {
            return LogTestSupport.readAll(log, 0);
        }
    }

    private Path swapOf(long base) {
        return dir.resolve(LogFiles.logFile(dir, base).getFileName() + ".swap");
    }

    private byte[] concat(long first, long second) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Files.readAllBytes(LogFiles.logFile(dir, first)));
        out.write(Files.readAllBytes(LogFiles.logFile(dir, second)));
        return out.toByteArray();
    }

    private List<Long> segmentBases() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> LogFiles.offsetFromFileName(p.getFileName().toString(), LogFiles.LOG_SUFFIX))
                    .filter(o -> o >= 0)
                    .sorted()
                    .toList();
        }
    }

    private List<String> leftovers() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".swap") || n.endsWith(".cleaned") || n.endsWith(".deleted"))
                    .toList();
        }
    }
}
