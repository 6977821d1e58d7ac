package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.LocalController;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.checkpoint.OffsetCheckpointFile;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.log.FaultyFiles;
import io.piste.storage.log.FileChannelFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition whose fsync failed stays offline, without stopping the broker, until a restart recovers it: through
 * a clean shutdown (no clean-shutdown marker for its log dir, its recovery point left before the failure), and
 * when the failure happens at start-up. The fsyncs of partition t-0 fail through {@link FaultyFiles}; t-1 works.
 * With {@code log.flush.method=fsync} (the per-file path, also the fallback where syncfs is not usable).
 */
class FailedFsyncTest {

    @TempDir
    Path dir;

    private Path logDir() {
        return dir.resolve("logs");
    }

    /** A durable-mode broker's partitions, with topic t (two partitions) created on the first start. */
    private LogManager start(FileChannelFactory files) throws IOException {
        return start(files, logDir().toString());
    }

    private LogManager start(FileChannelFactory files, String logDirs) throws IOException {
        LogManager replicas = new LogManager(
                new BrokerConfig(Map.of(
                        BrokerConfig.LOG_DIRS_CONFIG,
                        logDirs,
                        BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG,
                        "true",
                        // the per-file path: syncfs failures are FailedSyncfsTest's
                        BrokerConfig.LOG_FLUSH_METHOD_CONFIG,
                        BrokerConfig.LOG_FLUSH_METHOD_FSYNC)),
                files);
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            replicas.startup(controller.image());
            if (controller.image().topic("t") == null) {
                controller.setListener(replicas);
                controller.createTopic("t", 2, Map.of());
            }
        }
        return replicas;
    }

    private static long append(Partition partition) throws IOException {
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[100]));
        return partition.appendRecordsToLeader(batch.buffer()).lastOffset() + 1;
    }

    private static Errors ack(Partition partition, long endOffset) throws Exception {
        CompletableFuture<Errors> answer = new CompletableFuture<>();
        partition.whenDurable(endOffset, answer::complete);
        return answer.get(10, TimeUnit.SECONDS);
    }

    private long checkpointedRecoveryPoint(int partition) throws IOException {
        return new OffsetCheckpointFile(logDir().resolve(LogManager.RECOVERY_POINT_CHECKPOINT))
                .read()
                .get(new TopicPartitionKey("t", partition));
    }

    @Test
    void shouldKeepAPartitionOfflineThroughACleanShutdown() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("t-0");
        LogManager replicas = start(files);
        Partition failing = replicas.partition("t", 0);
        Partition healthy = replicas.partition("t", 1);
        long durable = append(failing);
        assertThat(ack(failing, durable)).isEqualTo(Errors.NONE);
        files.failFsync(true);
        long lost = append(failing);

        assertThat(ack(failing, lost)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(failing.isOffline()).isTrue();
        assertThat(failing.highWatermark()).isEqualTo(durable);
        assertThatThrownBy(() -> append(failing)).isInstanceOf(LogStorageException.class);
        long healthyEnd = append(healthy);
        assertThat(ack(healthy, healthyEnd)).as("the rest of the broker works").isEqualTo(Errors.NONE);

        // Linux would report the next fsync as fine: the failed pages were dropped or marked clean.
        files.failFsync(false);
        replicas.close();

        assertThat(CleanShutdownMarker.exists(logDir()))
                .as("clean-shutdown marker")
                .isFalse();
        assertThat(checkpointedRecoveryPoint(0))
                .as("recovery point of the offline partition")
                .isEqualTo(durable);
        assertThat(checkpointedRecoveryPoint(1)).isEqualTo(healthyEnd);
    }

    @Test
    void shouldRefuseClientReadsOfAnOfflinePartitionButLetTheBrokerReplayIt() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("t-0");
        try (LogManager replicas = start(files)) {
            Partition failing = replicas.partition("t", 0);
            long durable = append(failing);
            assertThat(ack(failing, durable)).isEqualTo(Errors.NONE);
            files.failFsync(true);
            assertThat(ack(failing, append(failing))).isEqualTo(Errors.KAFKA_STORAGE_ERROR);

            // Kafka answers KAFKA_STORAGE_ERROR for an offline partition rather than from its high watermark.
            assertThatThrownBy(() -> failing.read(0, 1 << 20, FetchIsolation.HIGH_WATERMARK, true))
                    .isInstanceOf(LogStorageException.class);
            assertThatThrownBy(() -> failing.read(0, 1 << 20, FetchIsolation.TXN_COMMITTED, true))
                    .isInstanceOf(LogStorageException.class);
            assertThatThrownBy(() -> failing.fetchOffsetForTimestamp(
                            ListOffsetsRequest.LATEST_TIMESTAMP, FetchIsolation.HIGH_WATERMARK))
                    .isInstanceOf(LogStorageException.class);
            assertThatThrownBy(() -> failing.lastOffsetForLeaderEpoch(failing.leaderEpoch()))
                    .isInstanceOf(LogStorageException.class);
            // The offsets load still finds what recovery kept: its groups keep their committed offsets.
            assertThat(failing.readToLogEnd(0, 1 << 20).isEmpty()).isFalse();
            assertThat(replicas.partition("t", 1)
                            .read(0, 1 << 20, FetchIsolation.HIGH_WATERMARK, true)
                            .highWatermark())
                    .as("the other partition reads")
                    .isZero();
            files.failFsync(false);
        }
    }

    @Test
    void shouldWriteTheCleanShutdownMarkerOnlyWhereNoPartitionIsOffline() throws Exception {
        Path first = dir.resolve("a");
        Path second = dir.resolve("b");
        FaultyFiles files = FaultyFiles.pathContaining("t-0");
        LogManager replicas = start(files, first + "," + second);
        Partition failing = replicas.partition("t", 0);
        Path failingDir = failing.log().dir().getParent();
        assertThat(replicas.partition("t", 1).log().dir().getParent())
                .as("t-1 in the other log dir: new partitions spread partition by partition")
                .isNotEqualTo(failingDir);
        files.failFsync(true);
        assertThat(ack(failing, append(failing))).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        files.failFsync(false);

        replicas.close();

        assertThat(CleanShutdownMarker.exists(failingDir)).isFalse();
        assertThat(CleanShutdownMarker.exists(failingDir.equals(first) ? second : first))
                .isTrue();
    }

    @Test
    void shouldLeaveAPartitionOfflineWhenItsFlushFailsAtStartUp() throws Exception {
        try (LogManager replicas = start(FileChannelFactory.DEFAULT)) {
            append(replicas.partition("t", 0));
            append(replicas.partition("t", 0));
        }
        // An unclean stop: recovery scans the tails, and must fsync what it scanned.
        Files.delete(logDir().resolve(CleanShutdownMarker.FILE_NAME));
        FaultyFiles files = FaultyFiles.pathContaining("t-0");
        files.failFsync(true);

        try (LogManager replicas = start(files)) {
            Partition failing = replicas.partition("t", 0);
            assertThat(failing.isOffline()).isTrue();
            assertThat(failing.highWatermark()).as("high watermark unmoved").isZero();
            assertThatThrownBy(() -> append(failing)).isInstanceOf(LogStorageException.class);
            assertThat(ack(failing, 1)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);

            Partition healthy = replicas.partition("t", 1);
            long end = append(healthy);
            assertThat(ack(healthy, end)).as("the rest of the broker works").isEqualTo(Errors.NONE);
            files.failFsync(false);
        }
        assertThat(CleanShutdownMarker.exists(logDir()))
                .as("clean-shutdown marker")
                .isFalse();
    }

    @Test
    void shouldRefuseToStartWhenTheCleanShutdownMarkerCannotBeRemoved() throws Exception {
        // A marker that cannot be deleted (here a non-empty directory of its name) would, after a crash, skip
        // the recovery of everything written since this start.
        Files.createDirectories(logDir().resolve(CleanShutdownMarker.FILE_NAME).resolve("x"));
        LogManager replicas =
                new LogManager(new BrokerConfig(Map.of(BrokerConfig.LOG_DIRS_CONFIG, logDir().toString())));
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            assertThatThrownBy(() -> replicas.startup(controller.image()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(logDir().toString());
        } finally {
            replicas.close();
        }
    }

    @Test
    void shouldTakeOnlyThePartitionWhoseLogFailsToOpenAndWriteNoMarkerForItsDir() throws Exception {
        try (LogManager replicas = start(FileChannelFactory.DEFAULT)) {
            append(replicas.partition("t", 0));
            append(replicas.partition("t", 1));
        }
        // An unclean stop, then a start whose recovery of t-1 fails at t-1's first use: t-0 serves, t-1 does not.
        Files.delete(logDir().resolve(CleanShutdownMarker.FILE_NAME));
        long recoveryPointBefore = checkpointedRecoveryPoint(1);
        try (LogManager replicas = start(failingOn("t-1"))) {
            assertThat(replicas.partition("t", 1))
                    .as("a log that does not open")
                    .isNull();
            assertThat(replicas.partition("t", 1)).as("not tried again").isNull();
            assertThat(replicas.failedToOpen("t", 1))
                    .as("answered KAFKA_STORAGE_ERROR, not as unknown")
                    .isTrue();
            assertThat(replicas.failedToOpen("t", 0)).isFalse();
            assertThat(replicas.failedToOpen("t", 2)).as("no such partition").isFalse();
            Partition healthy = replicas.partition("t", 0);
            assertThat(ack(healthy, append(healthy))).isEqualTo(Errors.NONE);
        }

        assertThat(CleanShutdownMarker.exists(logDir()))
                .as("a marker would skip the recovery of t-1")
                .isFalse();
        assertThat(checkpointedRecoveryPoint(1)).as("t-1's recovery point").isEqualTo(recoveryPointBefore);
    }

    @Test
    void shouldTakeOnlyTheInternalPartitionWhoseLogFailsToOpenAtStartUpAndWriteNoMarker() throws Exception {
        try (LogManager replicas = start(FileChannelFactory.DEFAULT);
                LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            controller.setListener(replicas);
            controller.createTopic("__consumer_offsets", 2, Map.of("cleanup.policy", "compact"));
            append(replicas.partition("t", 0));
            append(replicas.partition("__consumer_offsets", 0));
        }
        // An unclean stop, then a start whose recovery of one offsets partition fails.
        Files.delete(logDir().resolve(CleanShutdownMarker.FILE_NAME));
        LogManager replicas = new LogManager(
                new BrokerConfig(Map.of(BrokerConfig.LOG_DIRS_CONFIG, logDir().toString())),
                failingOn("__consumer_offsets-0"));
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            replicas.startup(controller.image());

            assertThat(replicas.partition("__consumer_offsets", 0)).isNull();
            assertThat(replicas.failedToOpen("__consumer_offsets", 0)).isTrue();
            assertThat(replicas.partition("__consumer_offsets", 1))
                    .as("the other offsets partition")
                    .isNotNull();
            Partition healthy = replicas.partition("t", 0);
            assertThat(ack(healthy, append(healthy)))
                    .as("the rest of the broker works")
                    .isEqualTo(Errors.NONE);
        } finally {
            replicas.close();
        }

        assertThat(CleanShutdownMarker.exists(logDir()))
                .as("a marker would skip the recovery of the log that failed")
                .isFalse();
    }

    private static FileChannelFactory failingOn(String partitionDir) {
        // By the directory's name: a temp dir's path may well contain "t-1" (junit-1...).
        return path -> {
            if (path.getParent().getFileName().toString().equals(partitionDir)) {
                throw new IOException("Input/output error (injected)");
            }
            return FileChannelFactory.DEFAULT.open(path);
        };
    }
}
