package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.TopicImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionDirsTest {

    @TempDir
    Path logDir;

    @TempDir
    Path metadataDir;

    @Test
    void shouldSweepDirectoriesOfDeletedTopicsAndPartitionsOnly() throws IOException {
        try (LocalController controller = LocalController.open(metadataDir)) {
            controller.createTopic("kept", 1, Map.of());
            for (String dir : List.of("kept-0", "kept-1", "gone-0", "__cluster_metadata-0", "not a partition")) {
                Files.createDirectories(logDir.resolve(dir));
                Files.writeString(logDir.resolve(dir).resolve("00000000000000000000.log"), "x");
            }

            PartitionDirs.sweepOrphans(List.of(logDir), controller.image(), "__cluster_metadata-0");
        }
        assertThat(logDir.resolve("kept-0")).exists();
        assertThat(logDir.resolve("__cluster_metadata-0")).exists();
        assertThat(logDir.resolve("not a partition")).exists();
        assertThat(logDir.resolve("kept-1")).doesNotExist();
        assertThat(logDir.resolve("gone-0")).doesNotExist();
    }

    @Test
    void shouldDeleteDirectoryOfAnotherTopicIdOnly() throws IOException {
        TopicImage topic = new TopicImage("t", Uuid.randomUuid(), 1, Map.of());
        Path own = logDir.resolve("own");
        Path stale = logDir.resolve("stale");
        Files.createDirectories(own);
        Files.createDirectories(stale);
        PartitionDirs.writeIfMissing(own, topic.topicId());
        PartitionDirs.writeIfMissing(stale, Uuid.randomUuid());

        PartitionDirs.deleteIfStale(own, topic);
        PartitionDirs.deleteIfStale(stale, topic);

        assertThat(own.resolve(PartitionDirs.PARTITION_METADATA)).exists();
        assertThat(stale).doesNotExist();
    }
}
