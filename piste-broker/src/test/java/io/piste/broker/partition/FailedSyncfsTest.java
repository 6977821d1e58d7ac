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
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group commit's syncfs ({@code log.flush.method=syncfs}; {@code auto} from 2 dirty partitions) failing on one of two log dirs: every partition
 * of that log dir goes offline, those in the failed round and those not, nothing of the round is acknowledged and
 * no high watermark or recovery point moves past what an earlier sync made durable; the other log dir keeps
 * serving; a clean shutdown writes no clean-shutdown marker for the failed log dir. Real files; the syncfs of
 * {@code logs-failing} fails through {@link FaultyFiles}.
 */
class FailedSyncfsTest {

    @TempDir
    Path dir;

    private Path failingDir() {
        return dir.resolve("logs-failing");
    }

    private Path healthyDir() {
        return dir.resolve("logs-healthy");
    }

    /** A durable-mode broker over both log dirs, with topics a and b (two partitions each, one log dir each). */
    private LogManager start(FaultyFiles files) throws IOException {
        LogManager replicas = new LogManager(
                new BrokerConfig(Map.of(
                        BrokerConfig.LOG_DIRS_CONFIG,
                        failingDir() + "," + healthyDir(),
                        BrokerConfig.LOG_FLUSH_METHOD_CONFIG,
                        BrokerConfig.LOG_FLUSH_METHOD_SYNCFS)),
                files);
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            replicas.startup(controller.image());
            if (controller.image().topic("a") == null) {
                controller.setListener(replicas);
                // a topic's partitions open together, in the least loaded log dir: a in one, b in the other
                controller.createTopic("a", 2, Map.of());
                controller.createTopic("b", 2, Map.of());
            }
        }
        return replicas;
    }

    private static List<Partition> in(LogManager replicas, Path logDir) {
        List<Partition> found = new ArrayList<>();
        for (String topic : List.of("a", "b")) {
            for (int p = 0; p < 2; p++) {
                Partition partition = replicas.partition(topic, p);
                if (partition.log().dir().getParent().equals(logDir)) {
                    found.add(partition);
                }
            }
        }
        return found;
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

    @Test
    void shouldTakeOnlyTheLogDirWhoseSyncfsFailedOfflineAndAcknowledgeNothingOfTheRound() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("logs-failing");
        LogManager replicas = start(files);
        List<Partition> failing = in(replicas, failingDir());
        List<Partition> healthy = in(replicas, healthyDir());
        assertThat(failing).hasSize(2);
        assertThat(healthy).hasSize(2);
        Partition written = failing.get(0);
        Partition bystander = failing.get(1);
        long durable = append(written);
        assertThat(ack(written, durable)).isEqualTo(Errors.NONE);
        int syncsBefore = files.fileSystemSyncs();
        assertThat(syncsBefore).as("the acks went through syncfs").isPositive();
        files.failFileSystemSync(true);
        long lost = append(written);

        assertThat(ack(written, lost)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(written.isOffline()).isTrue();
        assertThat(written.highWatermark())
                .as("never past what the last good sync covered")
                .isEqualTo(durable);
        assertThat(written.log().recoveryPoint()).isEqualTo(durable);
        assertThat(bystander.isOffline()).as("not in the round, same log dir").isTrue();
        assertThatThrownBy(() -> append(bystander)).isInstanceOf(LogStorageException.class);
        for (Partition p : healthy) {
            long end = append(p);
            assertThat(ack(p, end)).as("the other log dir works").isEqualTo(Errors.NONE);
            assertThat(p.isOffline()).isFalse();
            assertThat(p.highWatermark()).isEqualTo(end);
        }

        // Linux would report the next syncfs as fine: the failed pages were marked clean. The log dir stays offline.
        files.failFileSystemSync(false);
        assertThat(ack(written, lost)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(written.log().recoveryPoint()).isEqualTo(durable);
        replicas.close();

        assertThat(CleanShutdownMarker.exists(failingDir()))
                .as("marker of the failed log dir")
                .isFalse();
        assertThat(CleanShutdownMarker.exists(healthyDir())).isTrue();
        long checkpointed = new OffsetCheckpointFile(failingDir().resolve(LogManager.RECOVERY_POINT_CHECKPOINT))
                .read()
                .get(new TopicPartitionKey(written.topic(), written.index()));
        assertThat(checkpointed).isEqualTo(durable);
    }

    @Test
    void shouldBringTheLogDirBackAtTheNextStartWithEveryAcknowledgedRecord() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("logs-failing");
        LogManager replicas = start(files);
        Partition written = in(replicas, failingDir()).get(0);
        String topic = written.topic();
        int index = written.index();
        long durable = append(written);
        assertThat(ack(written, durable)).isEqualTo(Errors.NONE);
        files.failFileSystemSync(true);
        assertThat(ack(written, append(written))).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        files.failFileSystemSync(false);
        replicas.close();

        try (LogManager restarted = start(FaultyFiles.pathContaining("logs-failing"))) {
            Partition back = restarted.partition(topic, index);
            assertThat(back.isOffline()).isFalse();
            assertThat(back.log().logEndOffset()).isGreaterThanOrEqualTo(durable);
            long end = append(back);
            assertThat(ack(back, end)).isEqualTo(Errors.NONE);
        }
    }
}
