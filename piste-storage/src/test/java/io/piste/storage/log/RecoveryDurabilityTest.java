package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.batch;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.checkpoint.AtomicFiles;
import io.piste.storage.checkpoint.DurableDirectories;
import io.piste.storage.record.TestBatches;
import io.piste.storage.sim.SimulatedDisk;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Single power losses on a {@link SimulatedDisk} that keeps exactly what was fsynced: what a flush acknowledged
 * survives, and what recovery deleted stays deleted (new batches take those offsets next). The seeded
 * {@link PowerLossSimulationTest} found each of these; these tests pin them down one by one.
 */
class RecoveryDurabilityTest {
    private final SimulatedDisk disk = new SimulatedDisk();
    private final Path dir = disk.root().resolve("kafka-logs").resolve("topic-0");
    private final AtomicLong clock = LogTestSupport.clock();
    private final LogConfig config = smallConfig();

    private UnifiedLog open(boolean clean, long recoveryPoint) throws IOException {
        return UnifiedLog.open(dir, config, clock::get, clean, recoveryPoint);
    }

    private List<Long> fileOffsets(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> LogFiles.offsetFromFileName(p.getFileName().toString(), suffix))
                    .filter(o -> o >= 0)
                    .sorted()
                    .toList();
        }
    }

    @Test
    void shouldMakeEveryDirectoryItCreatesDurable() throws IOException {
        DurableDirectories.createDirectories(dir.getParent());

        disk.powerLossKeepingOnlySynced();

        assertThat(Files.isDirectory(dir.getParent())).isTrue();
    }

    @Test
    void shouldKeepAFlushedBatchOfTheFirstSegment() throws IOException {
        DurableDirectories.createDirectories(dir.getParent());
        UnifiedLog log = open(false, 0);
        log.appendAsLeader(batch(2), 0);
        log.flush();

        disk.powerLossKeepingOnlySynced();

        try (UnifiedLog reopened = open(false, 0)) {
            assertThat(reopened.logEndOffset()).isEqualTo(2);
        }
    }

    @Test
    void shouldKeepAFlushedBatchOfASegmentRolledWhenTheLogWasFullyFlushed() throws IOException {
        DurableDirectories.createDirectories(dir.getParent());
        UnifiedLog log = open(false, 0);
        while (log.numberOfSegments() < 3) {
            log.appendAsLeader(batch(2), 0);
            log.flush();
        }
        long acknowledged = log.logEndOffset();

        disk.powerLossKeepingOnlySynced();

        try (UnifiedLog reopened = open(false, 0)) {
            assertThat(reopened.logEndOffset()).isEqualTo(acknowledged);
        }
    }

    @Test
    void shouldNotBringBackSegmentsThatRecoveryDeleted() throws IOException {
        DurableDirectories.createDirectories(dir.getParent());
        try (UnifiedLog log = open(true, 0)) {
            for (int i = 0; i < 40; i++) {
                log.appendAsLeader(batch(2), 0);
            }
        }
        List<Long> segments = fileOffsets(LogFiles.LOG_SUFFIX);
        assertThat(segments).hasSizeGreaterThan(3);
        long cut = segments.get(1);
        // the second segment lost its whole unflushed content: recovery must drop every segment after it
        try (FileChannel ch = FileChannel.open(LogFiles.logFile(dir, cut), StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.force(true);
        }
        // no producer snapshot past the cut either, whose deletion would make the directory durable by the way
        for (long offset : fileOffsets(LogFiles.SNAPSHOT_SUFFIX)) {
            Files.delete(dir.resolve(LogFiles.filenamePrefix(offset) + LogFiles.SNAPSHOT_SUFFIX));
        }
        AtomicFiles.fsyncDirectory(dir);

        UnifiedLog recovered = open(false, 0);
        assertThat(recovered.logEndOffset()).isEqualTo(cut);
        // not closed: the next power loss comes before any clean shutdown
        disk.powerLossKeepingOnlySynced();

        assertThat(fileOffsets(LogFiles.LOG_SUFFIX)).containsExactly(segments.get(0), cut);
    }

    @Test
    void shouldNotBringBackProducerSnapshotsThatRecoveryDeleted() throws IOException {
        DurableDirectories.createDirectories(dir.getParent());
        long end;
        try (UnifiedLog log = open(true, 0)) {
            for (int i = 0; i < 10; i++) {
                log.appendAsLeader(
                        TestBatches.builder()
                                .records(1)
                                .timestamp(NOW_MS)
                                .producer(7L, (short) 0, i)
                                .build(),
                        0);
            }
            end = log.logEndOffset();
        }
        assertThat(fileOffsets(LogFiles.SNAPSHOT_SUFFIX)).contains(end);
        long lastSegment = fileOffsets(LogFiles.LOG_SUFFIX)
                .get(fileOffsets(LogFiles.LOG_SUFFIX).size() - 1);
        // the last segment lost its unflushed content: the snapshot at the old log end is now past it
        try (FileChannel ch = FileChannel.open(LogFiles.logFile(dir, lastSegment), StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.force(true);
        }
        UnifiedLog recovered = open(false, 0);
        assertThat(recovered.logEndOffset()).isEqualTo(lastSegment);
        // not closed: the next power loss comes before any clean shutdown
        disk.powerLossKeepingOnlySynced();

        assertThat(fileOffsets(LogFiles.SNAPSHOT_SUFFIX)).allMatch(o -> o <= lastSegment);
    }
}
