package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.batch;
import static io.piste.storage.log.LogTestSupport.readAll;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.piste.storage.errors.LogStorageException;
import io.piste.storage.record.TestBatches;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskFullTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private Path logDir() {
        return dir.resolve("topic-0");
    }

    private UnifiedLog open(FaultyFiles files, boolean clean) throws Exception {
        return UnifiedLog.open(logDir(), smallConfig(), clock::get, clean, 0, files);
    }

    @Test
    void shouldLeaveLogUnchangedWhenWriteFailsAndAppendAgainOnceSpaceIsFreed() throws Exception {
        FaultyFiles files = FaultyFiles.suffix(".log", 30);
        try (UnifiedLog log = open(files, true)) {
            for (int i = 0; i < 3; i++) {
                log.appendAsLeader(batch(2), 0);
            }
            List<ByteBuffer> before = readAll(log, 0);
            long size = log.sizeInBytes();
            long fileSize = Files.size(LogFiles.logFile(logDir(), 0));
            files.diskFull = true;

            LogStorageException e =
                    catchThrowableOfType(LogStorageException.class, () -> log.appendAsLeader(batch(2), 0));

            assertThat(e.isDiskFull()).isTrue();
            assertThat(e).hasMessageContaining("position=" + size);
            assertThat(log.logEndOffset()).isEqualTo(6);
            assertThat(log.sizeInBytes()).isEqualTo(size);
            assertThat(Files.size(LogFiles.logFile(logDir(), 0))).isEqualTo(fileSize);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before);

            files.diskFull = false;
            assertThat(log.appendAsLeader(batch(2), 0).firstOffset()).isEqualTo(6);
        }
        try (UnifiedLog log = open(FaultyFiles.all(0), false)) {
            assertThat(log.logEndOffset()).isEqualTo(8);
            assertThat(log.recoveredBatchCount()).isEqualTo(4);
        }
    }

    @Test
    void shouldAcceptRetriedIdempotentBatchAfterFailedWrite() throws Exception {
        FaultyFiles files = FaultyFiles.suffix(".log", 5);
        try (UnifiedLog log = open(files, true)) {
            log.appendAsLeader(
                    TestBatches.builder()
                            .timestamp(NOW_MS)
                            .producer(9L, (short) 0, 0)
                            .build(),
                    0);
            files.diskFull = true;
            catchThrowableOfType(
                    LogStorageException.class,
                    () -> log.appendAsLeader(
                            TestBatches.builder()
                                    .timestamp(NOW_MS)
                                    .producer(9L, (short) 0, 1)
                                    .build(),
                            0));
            files.diskFull = false;

            LogAppendInfo retry = log.appendAsLeader(
                    TestBatches.builder()
                            .timestamp(NOW_MS)
                            .producer(9L, (short) 0, 1)
                            .build(),
                    0);

            assertThat(retry.duplicate()).isFalse();
            assertThat(retry.firstOffset()).isEqualTo(1);
            assertThat(log.producerState().lastEntry(9L).lastSequence()).isEqualTo(1);
        }
    }

    @Test
    void shouldKeepIndexEntriesInMemoryWhenIndexWritesFail() throws Exception {
        FaultyFiles files = FaultyFiles.suffix("index", 3);
        files.diskFull = true;
        try (UnifiedLog log = open(files, true)) {
            for (int i = 0; i < 12; i++) {
                log.appendAsLeader(batch(2), 0);
            }
            for (long offset = 0; offset < 24; offset++) {
                assertThat(log.read(offset, 1 << 20, Long.MAX_VALUE, false).isEmpty())
                        .isFalse();
            }
            files.diskFull = false;
        }
        assertThat(Files.size(LogFiles.indexFile(logDir(), 0)) % 8).isZero();
        assertThat(Files.size(LogFiles.indexFile(logDir(), 0))).isPositive();
        try (UnifiedLog log = open(FaultyFiles.all(0), true)) {
            assertThat(log.recoveredBatchCount()).isZero();
            assertThat(readAll(log, 0)).hasSize(12);
        }
    }

    @Test
    void shouldOpenAndCloseOnFullDiskCleanOrNot() throws Exception {
        try (UnifiedLog log = open(FaultyFiles.all(0), true)) {
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(batch(2), 0);
            }
        }
        Path last;
        try (var files = Files.list(logDir())) {
            last = files.filter(p -> p.toString().endsWith(".log"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
        Files.write(last, new byte[] {9, 9, 9}, StandardOpenOption.APPEND);
        Files.delete(LogFiles.indexFile(logDir(), 0));
        FaultyFiles full = FaultyFiles.all(0);
        full.diskFull = true;

        UnifiedLog clean = open(full, true);
        assertThat(clean.logEndOffset()).isEqualTo(40);
        LogStorageException e =
                catchThrowableOfType(LogStorageException.class, () -> clean.appendAsLeader(batch(1), 0));
        assertThat(e.isDiskFull()).isTrue();
        assertThatCode(clean::close).doesNotThrowAnyException();

        UnifiedLog unclean = open(full, false);
        assertThat(unclean.logEndOffset()).isEqualTo(40);
        assertThat(readAll(unclean, 0)).hasSize(20);
        assertThatCode(unclean::close).doesNotThrowAnyException();
    }
}
