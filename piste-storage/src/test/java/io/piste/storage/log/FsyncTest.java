package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link UnifiedLog#flush()} makes durable, counted and failed through {@link FaultyFiles}. */
class FsyncTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private Path logDir() {
        return dir.resolve("topic-0");
    }

    private UnifiedLog open(FaultyFiles files, boolean clean, long recoveryPoint) throws Exception {
        return UnifiedLog.open(logDir(), LogConfig.defaults().withSegmentMs(1000), clock::get, clean, recoveryPoint,
                files);
    }

    @Test
    void shouldSyncTheDirectoryOfASegmentRolledWhenTheLogWasFullyFlushed() throws Exception {
        FaultyFiles files = FaultyFiles.all(0);
        try (UnifiedLog log = open(files, true, 0)) {
            log.appendAsLeader(batch(1), 0);
            log.flush();
            assertThat(log.recoveryPoint()).isEqualTo(log.logEndOffset());
            clock.addAndGet(1000);
            log.appendAsLeader(batch(1), 0);
            assertThat(log.numberOfSegments()).as("rolled at the recovery point").isEqualTo(2);
            int syncsBefore = files.directorySyncs();

            log.flush();

            assertThat(files.directorySyncs() - syncsBefore).as("directory syncs for the new segment").isEqualTo(1);
            assertThat(log.recoveryPoint()).isEqualTo(2);
        }
    }

    @Test
    void shouldSyncTheDirectoryOfTheFirstSegmentOfANewLog() throws Exception {
        FaultyFiles files = FaultyFiles.all(0);
        try (UnifiedLog log = open(files, true, 0)) {
            log.appendAsLeader(batch(1), 0);
            int syncsBefore = files.directorySyncs();

            log.flush();

            assertThat(files.directorySyncs() - syncsBefore).as("directory syncs for segment 0").isEqualTo(1);
        }
    }
}
