package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.MetadataImage;
import io.piste.storage.log.FaultyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new topic's logs made durable together: one file system sync per log dir and no fsync of their own where the
 * group commit may use syncfs; a failed sync creates none of them; {@code log.flush.method=fsync} fsyncs each.
 */
class CreationSyncTest {

    private static final int PARTITIONS = 20;

    @TempDir
    Path dir;

    private LogManager start(FaultyFiles files, String flushMethod) throws IOException {
        LogManager logs = new LogManager(
                new BrokerConfig(Map.of(
                        BrokerConfig.LOG_DIRS_CONFIG,
                        dir.resolve("logs-a") + "," + dir.resolve("logs-b"),
                        BrokerConfig.LOG_FLUSH_METHOD_CONFIG,
                        flushMethod)),
                files);
        logs.startup(MetadataImage.EMPTY);
        return logs;
    }

    @Test
    void shouldSyncEachLogDirOnceForANewTopicAndFsyncNothingElse() throws IOException {
        FaultyFiles files = FaultyFiles.pathContaining("logs-");
        try (LogManager logs = start(files, BrokerConfig.LOG_FLUSH_METHOD_SYNCFS);
                LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            controller.setListener(logs);
            int directorySyncs = files.directorySyncs();
            int fileSystemSyncs = files.fileSystemSyncs();

            controller.createTopic("t", PARTITIONS, Map.of());

            assertThat(files.directorySyncs() - directorySyncs)
                    .as("directory fsyncs")
                    .isZero();
            assertThat(files.fileSystemSyncs() - fileSystemSyncs)
                    .as("one per log dir")
                    .isEqualTo(2);
            for (int p = 0; p < PARTITIONS; p++) {
                Path partitionDir = logs.partition("t", p).log().dir();
                assertThat(Files.readString(partitionDir.resolve(PartitionDirs.PARTITION_METADATA)))
                        .contains(controller.image().topic("t").topicId().toString());
            }
        }
    }

    @Test
    void shouldCreateNoLogOfTheTopicWhenTheSyncFails() throws IOException {
        FaultyFiles files = FaultyFiles.pathContaining("logs-b");
        try (LogManager logs = start(files, BrokerConfig.LOG_FLUSH_METHOD_SYNCFS);
                LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            controller.setListener(logs);
            files.failFileSystemSync(true);

            assertThatThrownBy(() -> controller.createTopic("t", PARTITIONS, Map.of()))
                    .hasMessageContaining("syncfs failed (injected)");

            assertThat(controller.image().topic("t"))
                    .as("the controller took the topic back")
                    .isNull();
            assertThat(partitionDirs("logs-a")).isEmpty();
            assertThat(partitionDirs("logs-b")).isEmpty();
        }
    }

    @Test
    void shouldFsyncEachNewLogWithTheFsyncMethod() throws IOException {
        FaultyFiles files = FaultyFiles.pathContaining("logs-");
        try (LogManager logs = start(files, BrokerConfig.LOG_FLUSH_METHOD_FSYNC);
                LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            controller.setListener(logs);
            int directorySyncs = files.directorySyncs();

            controller.createTopic("t", PARTITIONS, Map.of());

            assertThat(files.directorySyncs() - directorySyncs)
                    .as("each new log's entry in its log dir, at least")
                    .isGreaterThanOrEqualTo(PARTITIONS);
            assertThat(files.fileSystemSyncs()).isZero();
        }
    }

    private Stream<Path> partitionDirs(String logDir) throws IOException {
        try (Stream<Path> entries = Files.list(dir.resolve(logDir))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("t-")).toList().stream();
        }
    }
}
