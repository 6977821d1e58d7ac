package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metrics.TopicMeters;
import io.piste.storage.log.FaultyFiles;
import io.piste.storage.log.FileChannelFactory;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group commit: one flusher thread fsyncs each partition appended to since its last round once (or syncs the
 * log dir's file system once for all of them), then answers the acks waiting on it; a failed fsync takes only its
 * partition offline; close finishes the pending round. Real logs in a temp dir, durable acks; appends go straight
 * to the logs so that only the acks wake the flusher. Failed syncfs: {@link FailedSyncfsTest}.
 */
class LogFlusherTest {

    @TempDir
    Path dir;

    private final LogFlusher flusher = new LogFlusher();
    private final List<UnifiedLog> logs = new ArrayList<>();

    @AfterEach
    void close() {
        flusher.close();
        for (UnifiedLog log : logs) {
            try {
                log.close();
            } catch (IOException | RuntimeException e) {
                // an offline log refuses to close; its files go with the temp dir
            }
        }
    }

    private Partition partition(String topic, FileChannelFactory files) throws IOException {
        return partition(topic, files, flusher);
    }

    private Partition partition(String topic, FileChannelFactory files, LogFlusher by) throws IOException {
        UnifiedLog log = UnifiedLog.open(
                dir.resolve(topic + "-0"), LogConfig.defaults(), System::currentTimeMillis, false, 0, files);
        logs.add(log);
        return new Partition(topic, 0, log, by, true, Long.MAX_VALUE, TopicMeters.detached());
    }

    /** A flusher of {@code dir} with {@code method} ({@code log.flush.method}) that ignores log dir failures. */
    private LogFlusher flusher(FaultyFiles files, String method) {
        return new LogFlusher(LogDirSyncs.open(List.of(dir), files, method), (d, e) -> {});
    }

    /** Appends one batch without telling the flusher; returns the new log end offset. */
    private static long appendUnflushed(Partition partition) throws IOException {
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[100]));
        return partition.log().appendAsLeader(batch.buffer(), 0).lastOffset() + 1;
    }

    /**
     * Appends one batch to each partition, then asks for all their acks back to back (so that they usually share a
     * round), and checks that each is answered and its log durable up to the batch.
     */
    private static void appendAndAwaitDurable(Partition... partitions) throws Exception {
        List<Long> ends = new ArrayList<>();
        for (Partition partition : partitions) {
            ends.add(appendUnflushed(partition));
        }
        List<CompletableFuture<Errors>> acks = new ArrayList<>();
        for (int i = 0; i < partitions.length; i++) {
            acks.add(ack(partitions[i], ends.get(i)));
        }
        for (int i = 0; i < partitions.length; i++) {
            assertThat(acks.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
            assertThat(partitions[i].log().recoveryPoint()).isEqualTo(ends.get(i));
        }
    }

    private static CompletableFuture<Errors> ack(Partition partition, long endOffset) {
        CompletableFuture<Errors> answer = new CompletableFuture<>();
        partition.whenDurable(endOffset, answer::complete);
        return answer;
    }

    @Test
    void shouldFsyncManyAppendsOfAPartitionOnceAndAnswerTheirAcksInOrder() throws Exception {
        Partition partition = partition("t", FileChannelFactory.DEFAULT);
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ends.add(appendUnflushed(partition));
        }
        List<Long> answered = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Errors>> acks = new ArrayList<>();
        for (long end : ends) {
            CompletableFuture<Errors> answer = new CompletableFuture<>();
            partition.whenDurable(end, error -> {
                answered.add(end);
                answer.complete(error);
            });
            acks.add(answer);
        }

        for (CompletableFuture<Errors> answer : acks) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        }
        assertThat(answered).as("acks in the order asked").containsExactlyElementsOf(ends);
        assertThat(partition.log().flushCount()).as("fsyncs for 100 appends").isEqualTo(1);
        assertThat(partition.log().recoveryPoint()).isEqualTo(ends.get(ends.size() - 1));
        assertThat(partition.highWatermark()).isEqualTo(ends.get(ends.size() - 1));
    }

    @Test
    void shouldFsyncEveryDirtyPartitionOfARound() throws Exception {
        Partition first = partition("a", FileChannelFactory.DEFAULT);
        Partition second = partition("b", FileChannelFactory.DEFAULT);
        Partition idle = partition("c", FileChannelFactory.DEFAULT);
        long idleEnd = appendUnflushed(idle);

        appendAndAwaitDurable(first, second);
        // The flusher fsyncs only what it was told about: a partition no ack waits on stays as it was.
        flusher.close();
        assertThat(idle.log().recoveryPoint())
                .as("not marked dirty, not flushed")
                .isZero();
        assertThat(idle.highWatermark()).isLessThan(idleEnd);
    }

    @Test
    void shouldTakeOnlyThePartitionWhoseFsyncFailedOffline() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("failing-0");
        Partition failing = partition("failing", files);
        Partition healthy = partition("healthy", FileChannelFactory.DEFAULT);
        long failingEnd = appendUnflushed(failing);
        long healthyEnd = appendUnflushed(healthy);
        files.failFsync(true);

        CompletableFuture<Errors> failed = ack(failing, failingEnd);
        CompletableFuture<Errors> succeeded = ack(healthy, healthyEnd);

        assertThat(failed.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(succeeded.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        assertThat(failing.isOffline()).isTrue();
        assertThat(failing.highWatermark()).as("never moved past what failed").isZero();
        assertThat(healthy.isOffline()).isFalse();

        // Linux would report the next fsync as fine; the partition stays offline, and its acks fail without one.
        files.failFsync(false);
        long flushesBefore = failing.log().flushCount();
        assertThat(ack(failing, failingEnd).get(10, TimeUnit.SECONDS)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(failing.log().flushCount()).isEqualTo(flushesBefore);
        assertThat(failing.log().recoveryPoint()).isZero();
    }

    @Test
    void shouldMakeARoundDurableWithOneFileSystemSyncAndNoFsyncOfItsOwn() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("");
        LogFlusher syncing = flusher(files, BrokerConfig.LOG_FLUSH_METHOD_SYNCFS);
        try {
            List<Partition> partitions = new ArrayList<>();
            List<Long> ends = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Partition partition = partition("p" + i, files, syncing);
                partitions.add(partition);
                ends.add(appendUnflushed(partition));
            }
            int directorySyncsAtOpen = files.directorySyncs();
            List<CompletableFuture<Errors>> acks = new ArrayList<>();
            for (int i = 0; i < partitions.size(); i++) {
                acks.add(ack(partitions.get(i), ends.get(i)));
            }

            for (int i = 0; i < partitions.size(); i++) {
                assertThat(acks.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
                assertThat(partitions.get(i).log().recoveryPoint()).isEqualTo(ends.get(i));
                assertThat(partitions.get(i).highWatermark()).isEqualTo(ends.get(i));
            }
            assertThat(files.fileSystemSyncs()).isBetween(1, partitions.size());
            // A new log's first flush would fsync its directory on the per-file path; syncfs covers it.
            assertThat(files.directorySyncs()).isEqualTo(directorySyncsAtOpen);
        } finally {
            syncing.close();
        }
    }

    @Test
    void shouldFsyncFileByFileInAutoModeBelowTheSyncfsThreshold() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("");
        LogFlusher auto = flusher(files, BrokerConfig.LOG_FLUSH_METHOD_AUTO);
        try {
            appendAndAwaitDurable(partition("t", files, auto));

            assertThat(files.fileSystemSyncs())
                    .as("one dirty partition < " + LogDirSyncs.AUTO_MIN_PARTITIONS)
                    .isZero();
        } finally {
            auto.close();
        }
    }

    @Test
    void shouldSyncTheFileSystemInAutoModeForARoundOfTwoPartitions() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("");
        LogFlusher auto = flusher(files, BrokerConfig.LOG_FLUSH_METHOD_AUTO);
        try {
            Partition first = partition("a", files, auto);
            Partition second = partition("b", files, auto);
            // Two acks asked back to back usually share a round; the flusher may wake between them, so try a few times.
            for (int attempt = 0; attempt < 50 && files.fileSystemSyncs() == 0; attempt++) {
                appendAndAwaitDurable(first, second);
            }
            assertThat(files.fileSystemSyncs())
                    .as("a round of two dirty partitions >= " + LogDirSyncs.AUTO_MIN_PARTITIONS)
                    .isPositive();
        } finally {
            auto.close();
        }
    }

    @Test
    void shouldFsyncFileByFileWhereNoFileSystemSyncCanBeOpened() throws Exception {
        FaultyFiles faulty = FaultyFiles.pathContaining("failing-0");
        FileChannelFactory noSyncfs = new FileChannelFactory() {
            @Override
            public java.nio.channels.FileChannel open(Path path) throws IOException {
                return faulty.open(path);
            }

            @Override
            public void fsyncDirectory(Path d) throws IOException {
                faulty.fsyncDirectory(d);
            }

            @Override
            public io.piste.storage.log.FileSystemSync openFileSystemSync(Path logDir) throws IOException {
                throw new IOException("syncfs unavailable: kernel 5.4 (injected)");
            }
        };
        LogFlusher fallback = new LogFlusher(
                LogDirSyncs.open(List.of(dir), noSyncfs, BrokerConfig.LOG_FLUSH_METHOD_SYNCFS), (d, e) -> {});
        try {
            Partition failing = partition("failing", noSyncfs, fallback);
            Partition healthy = partition("healthy", noSyncfs, fallback);
            long failingEnd = appendUnflushed(failing);
            long healthyEnd = appendUnflushed(healthy);
            int directorySyncsAtOpen = faulty.directorySyncs();
            faulty.failFsync(true);

            assertThat(ack(failing, failingEnd).get(10, TimeUnit.SECONDS)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
            assertThat(ack(healthy, healthyEnd).get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
            assertThat(failing.isOffline()).isTrue();
            assertThat(failing.highWatermark()).isZero();
            assertThat(healthy.isOffline()).isFalse();
            assertThat(healthy.log().recoveryPoint()).isEqualTo(healthyEnd);
            assertThat(faulty.fileSystemSyncs()).as("no syncfs on the fallback").isZero();
            assertThat(faulty.directorySyncs())
                    .as("the per-file path fsyncs new logs' directories")
                    .isPositive();
        } finally {
            fallback.close();
        }
    }

    @Test
    void shouldFinishThePendingRoundWhenClosed() throws Exception {
        Partition partition = partition("t", FileChannelFactory.DEFAULT);
        long end = appendUnflushed(partition);
        CompletableFuture<Thread> answeredOn = new CompletableFuture<>();
        partition.whenDurable(end, error -> answeredOn.complete(error == Errors.NONE ? Thread.currentThread() : null));

        flusher.close();

        assertThat(answeredOn).as("answered before close returned").isDone();
        Thread flusherThread = answeredOn.get();
        assertThat(flusherThread).as("answered NONE").isNotNull();
        assertThat(flusherThread.getName()).isEqualTo("piste-log-flusher");
        assertThat(flusherThread.isAlive()).as("the flusher thread stopped").isFalse();
        assertThat(partition.log().recoveryPoint()).isEqualTo(end);
    }
}
