package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.LogStorageException;
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
        return UnifiedLog.open(
                logDir(), LogConfig.defaults().withSegmentMs(1000), clock::get, clean, recoveryPoint, files);
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
            assertThat(log.numberOfSegments())
                    .as("rolled at the recovery point")
                    .isEqualTo(2);
            int syncsBefore = files.directorySyncs();

            log.flush();

            assertThat(files.directorySyncs() - syncsBefore)
                    .as("directory syncs for the new segment")
                    .isEqualTo(1);
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

            assertThat(files.directorySyncs() - syncsBefore)
                    .as("directory syncs for segment 0")
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldNeverMoveTheRecoveryPointPastAFailedFsync() throws Exception {
        FaultyFiles files = FaultyFiles.all(0);
        UnifiedLog log = open(files, true, 0);
        log.appendAsLeader(batch(1), 0);
        log.flush();
        log.appendAsLeader(batch(1), 0);
        files.failFsync(true);

        assertThatThrownBy(log::flush).isInstanceOf(LogStorageException.class);
        assertThat(log.recoveryPoint()).isEqualTo(1);

        // Linux reports the next fsync as fine: the pages whose write-back failed were dropped or marked clean.
        files.failFsync(false);
        assertThatThrownBy(log::flush).isInstanceOf(LogStorageException.class).hasMessageContaining("offline");
        assertThat(log.recoveryPoint()).as("recovery point after a later fsync").isEqualTo(1);
        assertThatThrownBy(() -> log.appendAsLeader(batch(1), 0)).isInstanceOf(LogStorageException.class);
        assertThatThrownBy(log::close).as("close reports the failure").isInstanceOf(LogStorageException.class);

        try (UnifiedLog reopened = open(FaultyFiles.all(0), false, log.recoveryPoint())) {
            assertThat(reopened.recoveredBatchCount())
                    .as("batches scanned from the last good recovery point")
                    .isPositive();
            assertThat(reopened.logEndOffset()).isEqualTo(2);
        }
    }

    @Test
    void shouldFailTheFlushAndStayOfflineWhenTheDirectorySyncFails() throws Exception {
        FaultyFiles files = FaultyFiles.all(0);
        UnifiedLog log = open(files, true, 0);
        log.appendAsLeader(batch(1), 0);
        log.flush();
        clock.addAndGet(1000);
        log.appendAsLeader(batch(1), 0);
        files.failDirectorySync(true);

        assertThatThrownBy(log::flush).isInstanceOf(LogStorageException.class).hasMessageContaining("dir=");
        assertThat(log.recoveryPoint()).isEqualTo(1);

        files.failDirectorySync(false);
        assertThatThrownBy(log::flush).isInstanceOf(LogStorageException.class).hasMessageContaining("offline");
        assertThat(log.recoveryPoint()).isEqualTo(1);
        assertThatThrownBy(log::close).isInstanceOf(LogStorageException.class);
    }

    @Test
    void shouldStayOfflineWhenRecoveryCannotSyncWhatItScanned() throws Exception {
        try (UnifiedLog log = open(FaultyFiles.all(0), true, 0)) {
            for (int i = 0; i < 3; i++) {
                log.appendAsLeader(batch(1), 0);
            }
        }
        FaultyFiles failing = FaultyFiles.all(0);
        failing.failFsync(true);

        UnifiedLog log = open(failing, false, 0);

        assertThat(log.recoveredBatchCount()).isEqualTo(3);
        failing.failFsync(false);
        assertThatThrownBy(log::flush).isInstanceOf(LogStorageException.class).hasMessageContaining("offline");
        assertThat(log.recoveryPoint()).isZero();
        assertThatThrownBy(log::close).isInstanceOf(LogStorageException.class);
    }

    @Test
    void shouldSyncTheDirectoryAfterRecovery() throws Exception {
        try (UnifiedLog log = open(FaultyFiles.all(0), true, 0)) {
            log.appendAsLeader(batch(1), 0);
        }
        FaultyFiles files = FaultyFiles.all(0);

        try (UnifiedLog log = open(files, false, 0)) {
            // Recovery may delete segments past a bad batch, and what it scanned may be known to the page cache
            // only: both are made durable before the recovery point moves to the log end.
            assertThat(files.directorySyncs()).isEqualTo(1);
            assertThat(log.recoveryPoint()).isEqualTo(1);
        }
    }
}
