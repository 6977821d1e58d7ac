package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file descriptors a log holds, counted in {@code /proc/self/fd} (Linux): one per segment (its {@code .log});
 * the index files are opened only to be loaded or written, and closed again.
 */
@Timeout(120)
class OpenFilesTest {
    private static final Path FDS = Path.of("/proc/self/fd");
    /** Descriptors a log may briefly hold beyond its segments' (a file being written at the moment counted). */
    private static final int SLACK = 10;

    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    @Test
    void shouldHoldOneDescriptorPerLogOfOneSegment() throws Exception {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd (Linux)");
        int logs = 500;
        long before = openDescriptors();
        List<UnifiedLog> opened = new ArrayList<>();
        try {
            for (int i = 0; i < logs; i++) {
                UnifiedLog log = UnifiedLog.open(dir.resolve("t-" + i), LogConfig.defaults(), clock::get, true, 0);
                opened.add(log);
                log.appendAsLeader(batch(2), 0);
                log.flush();
            }
            long held = openDescriptors() - before;
            assertThat(held).isBetween((long) logs, (long) logs + SLACK);
            assertThat(openIndexFiles()).isZero();
        } finally {
            for (UnifiedLog log : opened) {
                log.close();
            }
        }
        assertThat(openDescriptors() - before).isLessThanOrEqualTo(SLACK);
    }

    @Test
    void shouldHoldOneDescriptorPerSegmentOfOneLog() throws Exception {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd (Linux)");
        LogConfig config = LogTestSupport.smallConfig();
        long before = openDescriptors();
        int segments;
        try (UnifiedLog log = UnifiedLog.open(dir.resolve("t-0"), config, clock::get, true, 0)) {
            while (log.numberOfSegments() < 200) {
                log.appendAsLeader(batch(2), 0);
            }
            log.flush();
            segments = log.numberOfSegments();
            assertThat(openDescriptors() - before).isBetween((long) segments, (long) segments + SLACK);
            assertThat(openIndexFiles()).isZero();
        }
        // Reopened cleanly, the indexes are loaded and closed again.
        try (UnifiedLog log = UnifiedLog.open(dir.resolve("t-0"), config, clock::get, true, 0)) {
            assertThat(log.numberOfSegments()).isEqualTo(segments);
            assertThat(openDescriptors() - before).isBetween((long) segments, (long) segments + SLACK);
            assertThat(openIndexFiles()).isZero();
        }
        // And after an unclean open, which rebuilds indexes from the start.
        try (UnifiedLog log = UnifiedLog.open(dir.resolve("t-0"), config, clock::get, false, 0)) {
            assertThat(log.recoveredBatchCount()).isPositive();
            assertThat(openDescriptors() - before).isBetween((long) segments, (long) segments + SLACK);
            assertThat(openIndexFiles()).isZero();
        }
    }

    @Test
    void shouldOpenIndexFilesAtCloseOnlyToWriteWhatChanged() throws Exception {
        LogConfig config = LogTestSupport.smallConfig();
        Path logDir = dir.resolve("t-0");
        int segments;
        try (UnifiedLog log = UnifiedLog.open(logDir, config, clock::get, true, 0)) {
            while (log.numberOfSegments() < 50) {
                log.appendAsLeader(batch(2), 0);
            }
            segments = log.numberOfSegments();
        }
        AtomicLong indexOpens = new AtomicLong();
        FileChannelFactory counting = path -> {
            String name = path.getFileName().toString();
            if (name.endsWith(LogFiles.INDEX_SUFFIX) || name.endsWith(LogFiles.TIME_INDEX_SUFFIX)) {
                indexOpens.incrementAndGet();
            }
            return FileChannelFactory.DEFAULT.open(path);
        };
        UnifiedLog.open(logDir, config, clock::get, true, 0, counting).close();
        assertThat(indexOpens.get())
                .as("loaded, and nothing rewritten at close")
                .isEqualTo(2L * segments);

        indexOpens.set(0);
        try (UnifiedLog log = UnifiedLog.open(logDir, config, clock::get, true, 0, counting)) {
            log.appendAsLeader(batch(2), 0);
            log.appendAsLeader(batch(2), 0);
            assertThat(log.numberOfSegments()).isEqualTo(segments);
        }
        // The offset index got an entry; the time index one only if the max timestamp grew (here all are equal).
        assertThat(indexOpens.get())
                .as("only the active segment's changed indexes rewritten")
                .isBetween(2L * segments + 1, 2L * segments + 2);
    }

    /**
     * Descriptors of this process open on files under the test's directory: other threads of the test JVM open and
     * close their own meanwhile (a count of all of them once came out one short).
     */
    private long openDescriptors() throws IOException {
        String under = dir.toRealPath().toString() + "/";
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.map(OpenFilesTest::target)
                    .filter(t -> t.startsWith(under))
                    .count();
        }
    }

    /** Descriptors of this process open on a .index or .timeindex file. */
    private static long openIndexFiles() throws IOException {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.map(OpenFilesTest::target)
                    .filter(t -> t.endsWith(LogFiles.INDEX_SUFFIX) || t.endsWith(LogFiles.TIME_INDEX_SUFFIX))
                    .count();
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed since it was listed
        }
    }
}
