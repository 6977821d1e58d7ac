package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.TopicImage;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.checkpoint.OffsetCheckpointFile;
import io.piste.storage.checkpoint.TopicPartitionKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partitions of a broker on disk: opened from the metadata image at start-up (after a clean stop or a crash),
 * created, grown and deleted as metadata changes, checkpointed, and closed with a clean-shutdown marker. Real logs
 * in a temp dir and a real metadata log; durable acks.
 */
class LogManagerTest {

    @TempDir
    Path dir;

    private Path logDir() {
        return dir.resolve("logs");
    }

    private LogManager newLogManager(Map<String, String> overrides) throws IOException {
        Map<String, String> config = new HashMap<>(overrides);
        config.put(BrokerConfig.LOG_DIRS_CONFIG, logDir().toString());
        config.put(BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG, "true");
        return new LogManager(new BrokerConfig(config));
    }

    /** Starts on the metadata log in {@code dir}, and keeps applying its changes until the controller closes. */
    private LogManager start(LocalController controller) throws IOException {
        LogManager replicas = newLogManager(Map.of());
        replicas.startup(controller.image());
        controller.setListener(replicas);
        return replicas;
    }

    private LocalController controller() throws IOException {
        return LocalController.open(dir.resolve("metadata"));
    }

    /** Appends {@code count} batches and waits for their ack; returns the log end offset. */
    private static long appendDurably(Partition partition, int count) throws Exception {
        long end = 0;
        for (int i = 0; i < count; i++) {
            MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[100]));
            end = partition.appendRecordsToLeader(batch.buffer()).lastOffset() + 1;
        }
        CompletableFuture<Errors> ack = new CompletableFuture<>();
        partition.whenDurable(end, ack::complete);
        assertThat(ack.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        return end;
    }

    private Map<TopicPartitionKey, Long> checkpoint(String name) throws IOException {
        return new OffsetCheckpointFile(logDir().resolve(name)).read();
    }

    private List<String> logDirChildren() throws IOException {
        try (Stream<Path> children = Files.list(logDir())) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldReopenEveryPartitionOfTheImageWithItsDataAfterACleanStop() throws Exception {
        try (LocalController controller = controller()) {
            try (LogManager replicas = start(controller)) {
                controller.createTopic("t", 2, Map.of());
                appendDurably(replicas.partition("t", 0), 3);
                appendDurably(replicas.partition("t", 1), 1);
                controller.setListener(null);
            }
            assertThat(CleanShutdownMarker.exists(logDir()))
                    .as("marker after a clean stop")
                    .isTrue();

            try (LogManager replicas = newLogManager(Map.of())) {
                replicas.startup(controller.image());

                assertThat(CleanShutdownMarker.exists(logDir()))
                        .as("marker once the logs are open for writing")
                        .isFalse();
                assertThat(replicas.partition("t", 0).log().logEndOffset()).isEqualTo(3);
                assertThat(replicas.partition("t", 1).log().logEndOffset()).isEqualTo(1);
                assertThat(replicas.partition("t", 0).highWatermark())
                        .as("a single replica: its log end")
                        .isEqualTo(3);
                assertThat(replicas.partition("t", 2)).isNull();
                assertThat(replicas.partition("u", 0)).isNull();
            }
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedBatchThroughAnUncleanStop() throws Exception {
        try (LocalController controller = controller()) {
            try (LogManager replicas = start(controller)) {
                controller.createTopic("t", 1, Map.of());
                appendDurably(replicas.partition("t", 0), 5);
                controller.setListener(null);
            }
            // As after a crash: no marker, so the logs' tails are scanned from the checkpointed recovery points.
            Files.delete(logDir().resolve(CleanShutdownMarker.FILE_NAME));

            try (LogManager replicas = newLogManager(Map.of())) {
                replicas.startup(controller.image());

                Partition partition = replicas.partition("t", 0);
                assertThat(partition.log().logEndOffset()).isEqualTo(5);
                assertThat(partition.log().recoveryPoint())
                        .as("recovery fsynced what it scanned")
                        .isEqualTo(5);
                assertThat(partition.highWatermark()).isEqualTo(5);
                assertThat(appendDurably(partition, 1)).as("and appends go on").isEqualTo(6);
            }
        }
    }

    @Test
    void shouldWriteTheRecoveryPointAndHighWatermarkCheckpointsAtClose() throws Exception {
        try (LocalController controller = controller()) {
            long end;
            try (LogManager replicas = start(controller)) {
                controller.createTopic("t", 2, Map.of());
                end = appendDurably(replicas.partition("t", 1), 4);
                controller.setListener(null);
            }

            Map<TopicPartitionKey, Long> recoveryPoints = checkpoint(LogManager.RECOVERY_POINT_CHECKPOINT);
            Map<TopicPartitionKey, Long> highWatermarks = checkpoint(LogManager.HIGH_WATERMARK_CHECKPOINT);
            assertThat(recoveryPoints)
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(new TopicPartitionKey("t", 0), 0L, new TopicPartitionKey("t", 1), end));
            assertThat(highWatermarks)
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(new TopicPartitionKey("t", 0), 0L, new TopicPartitionKey("t", 1), end));
        }
    }

    @Test
    void shouldCheckpointWhileRunningEachInterval() throws Exception {
        try (LocalController controller = controller();
                LogManager replicas =
                        newLogManager(Map.of(BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG, "100"))) {
            replicas.startup(controller.image());
            controller.setListener(replicas);
            controller.createTopic("t", 1, Map.of());
            long end = appendDurably(replicas.partition("t", 0), 2);
            Path file = logDir().resolve(LogManager.RECOVERY_POINT_CHECKPOINT);
            TopicPartitionKey key = new TopicPartitionKey("t", 0);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(Files.exists(file)
                            && Long.valueOf(end)
                                    .equals(checkpoint(file.getFileName().toString())
                                            .get(key)))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            assertThat(checkpoint(LogManager.RECOVERY_POINT_CHECKPOINT)).containsEntry(key, end);
            assertThat(CleanShutdownMarker.exists(logDir()))
                    .as("no marker while running")
                    .isFalse();
            controller.setListener(null);
        }
    }

    @Test
    void shouldNotRewriteACheckpointThatWouldNotChange() throws Exception {
        try (LocalController controller = controller();
                LogManager replicas =
                        newLogManager(Map.of(BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG, "100"))) {
            replicas.startup(controller.image());
            controller.setListener(replicas);
            controller.createTopic("t", 1, Map.of());
            TopicPartitionKey key = new TopicPartitionKey("t", 0);
            long end = appendDurably(replicas.partition("t", 0), 2);
            Object written = awaitCheckpointed(key, end);

            Thread.sleep(500); // five intervals with nothing new

            Path file = logDir().resolve(LogManager.RECOVERY_POINT_CHECKPOINT);
            assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey())
                    .as("the same file (a write renames a new one in)")
                    .isEqualTo(written);
            long next = appendDurably(replicas.partition("t", 0), 1);
            assertThat(awaitCheckpointed(key, next))
                    .as("rewritten once changed")
                    .isNotEqualTo(written);
            controller.setListener(null);
        }
    }

    @Test
    void shouldNotRewriteTheCheckpointsItReadAfterACleanStop() throws Exception {
        try (LocalController controller = controller()) {
            try (LogManager replicas = start(controller)) {
                controller.createTopic("t", 2, Map.of());
                appendDurably(replicas.partition("t", 0), 3);
                controller.setListener(null);
            }
            Path recoveryPoints = logDir().resolve(LogManager.RECOVERY_POINT_CHECKPOINT);
            Path highWatermarks = logDir().resolve(LogManager.HIGH_WATERMARK_CHECKPOINT);
            Object recoveryPointsKey = fileKey(recoveryPoints);
            Object highWatermarksKey = fileKey(highWatermarks);

            try (LogManager replicas =
                    newLogManager(Map.of(BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG, "100"))) {
                replicas.startup(controller.image());
                Thread.sleep(500); // five intervals, nothing new

                assertThat(fileKey(recoveryPoints))
                        .as("the file read at the start holds what a checkpoint would write")
                        .isEqualTo(recoveryPointsKey);
                assertThat(fileKey(highWatermarks)).isEqualTo(highWatermarksKey);
                assertThat(appendDurably(replicas.partition("t", 1), 1)).isEqualTo(1);
                assertThat(awaitCheckpointed(new TopicPartitionKey("t", 1), 1))
                        .as("rewritten once changed")
                        .isNotEqualTo(recoveryPointsKey);
            }
            assertThat(checkpoint(LogManager.RECOVERY_POINT_CHECKPOINT))
                    .isEqualTo(Map.of(new TopicPartitionKey("t", 0), 3L, new TopicPartitionKey("t", 1), 1L));
        }
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /** Waits (at most 10 s) until the recovery-point checkpoint holds {@code offset}; returns the file's key. */
    private Object awaitCheckpointed(TopicPartitionKey key, long offset) throws Exception {
        Path file = logDir().resolve(LogManager.RECOVERY_POINT_CHECKPOINT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(file)
                        && Long.valueOf(offset)
                                .equals(checkpoint(LogManager.RECOVERY_POINT_CHECKPOINT)
                                        .get(key)))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(checkpoint(LogManager.RECOVERY_POINT_CHECKPOINT)).containsEntry(key, offset);
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    @Test
    void shouldCreateGrowAndDeletePartitionsAsMetadataChanges() throws Exception {
        try (LocalController controller = controller();
                LogManager replicas = start(controller)) {
            TopicImage topic = controller.createTopic("t", 1, Map.of());
            Partition first = replicas.partition("t", 0);
            assertThat(first).isNotNull();
            assertThat(Files.isDirectory(logDir().resolve("t-0"))).isTrue();
            assertThat(logDir().resolve("t-0").resolve("partition.metadata"))
                    .as("topic id written")
                    .exists();

            controller.createPartitions("t", 3, false);
            assertThat(replicas.partition("t", 0))
                    .as("existing partitions kept")
                    .isSameAs(first);
            assertThat(replicas.partition("t", 2)).isNotNull();
            assertThat(Files.isDirectory(logDir().resolve("t-2"))).isTrue();

            // An ack still waiting when the topic goes is answered with an error, and parked fetches are woken.
            long end = appendDurably(first, 1);
            CompletableFuture<Errors> pending = new CompletableFuture<>();
            // Beyond the log end: no flush answers it, only the deletion.
            first.whenDurable(end + 100, pending::complete);
            AtomicBoolean woken = new AtomicBoolean();
            first.dataWaiters().add(() -> woken.set(true));
            assertThat(pending).isNotDone();

            controller.deleteTopic(topic.topicId());

            assertThat(pending.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
            assertThat(first.isDeleted()).isTrue();
            assertThat(woken).as("data waiters told").isTrue();
            assertThat(replicas.partition("t", 0)).isNull();
            assertThat(logDirChildren()).as("no directory of t left").noneMatch(name -> name.startsWith("t-"));
            controller.setListener(null);
        }
    }

    @Test
    void shouldCreateAndGrowATopicSideBySideSpreadOverTheLogDirsPartitionByPartition() throws Exception {
        Path first = dir.resolve("logs-a");
        Path second = dir.resolve("logs-b");
        try (LocalController controller = controller();
                LogManager replicas = new LogManager(new BrokerConfig(Map.of(
                        BrokerConfig.LOG_DIRS_CONFIG,
                        first + "," + second,
                        BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG,
                        "true")))) {
            replicas.startup(controller.image());
            controller.setListener(replicas);
            controller.createTopic("wide", 40, Map.of());
            controller.createPartitions("wide", 50, false);

            for (int p = 0; p < 50; p++) {
                Partition partition = replicas.partition("wide", p);
                assertThat(appendDurably(partition, 1)).as("partition %d", p).isEqualTo(1);
                assertThat(Files.isDirectory(partition.log().dir())).isTrue();
            }
            try (Stream<Path> a = Files.list(first);
                    Stream<Path> b = Files.list(second)) {
                assertThat(a.filter(d -> d.getFileName().toString().startsWith("wide-"))
                                .count())
                        .as("partitions in %s", first)
                        .isEqualTo(25);
                assertThat(b.filter(d -> d.getFileName().toString().startsWith("wide-"))
                                .count())
                        .as("partitions in %s", second)
                        .isEqualTo(25);
            }
            controller.setListener(null);
        }
    }
}
