package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.TopicImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionDirsTest {

    private static final String STRAY = "\\.[0-9a-f]{32}-stray";

    @TempDir
    Path logDir;

    @TempDir
    Path metadataDir;

    private void writePartitionDir(String name) throws IOException {
        Files.createDirectories(logDir.resolve(name));
        Files.writeString(logDir.resolve(name).resolve("00000000000000000000.log"), "data of " + name);
    }

    private List<String> children() throws IOException {
        try (Stream<Path> children = Files.list(logDir)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The one directory renamed aside from {@code name}; its segment must be intact. */
    private Path strayOf(String name) throws IOException {
        List<String> strays = children().stream()
                .filter(c -> c.matches(Pattern.quote(name) + STRAY))
                .toList();
        assertThat(strays).as("stray directories of " + name).hasSize(1);
        Path stray = logDir.resolve(strays.get(0));
        assertThat(stray.resolve("00000000000000000000.log")).hasContent("data of " + name);
        return stray;
    }

    @Test
    void shouldRenameDirectoriesTheMetadataDoesNotKnowAsideAsStray() throws IOException {
        try (LocalController controller = LocalController.open(metadataDir)) {
            controller.createTopic("kept", 1, Map.of());
            for (String dir : List.of("kept-0", "kept-1", "gone-0", "__cluster_metadata-0", "not a partition")) {
                writePartitionDir(dir);
            }

            Map<String, Path> found =
                    PartitionDirs.scan(List.of(logDir), controller.image(), "__cluster_metadata-0", 1);
            List<String> afterFirstSweep = children();

            assertThat(found)
                    .as("the partition directories of the image, with their log dir")
                    .isEqualTo(Map.of("kept-0", logDir));
            PartitionDirs.scan(List.of(logDir), controller.image(), "__cluster_metadata-0", 1);

            assertThat(children())
                    .as("a stray directory is left alone at the next start")
                    .isEqualTo(afterFirstSweep);
        }
        assertThat(logDir.resolve("kept-0")).exists();
        assertThat(logDir.resolve("__cluster_metadata-0")).exists();
        assertThat(logDir.resolve("not a partition")).exists();
        assertThat(logDir.resolve("kept-1")).doesNotExist();
        assertThat(logDir.resolve("gone-0")).doesNotExist();
        strayOf("kept-1");
        strayOf("gone-0");
    }

    @Test
    void shouldReadPartitionIndexesFromDirectoryNamesAsKafkasPatternDoes() {
        assertThat(PartitionDirs.partitionIndex("t-0")).isEqualTo(0);
        assertThat(PartitionDirs.partitionIndex("my-topic-12")).isEqualTo(12);
        assertThat(PartitionDirs.partitionIndex("t--3")).as("the topic t-").isEqualTo(3);
        assertThat(PartitionDirs.partitionIndex("t-999999999")).isEqualTo(999_999_999);
        assertThat(PartitionDirs.partitionIndex("t-1234567890")).isEqualTo(PartitionDirs.TOO_MANY_DIGITS);
        for (String notAPartition : List.of("-3", "t-", "t", "t-1a", "t-\u0661", "t-0.0123-stray", "t-+1")) {
            assertThat(PartitionDirs.partitionIndex(notAPartition))
                    .as(notAPartition)
                    .isEqualTo(PartitionDirs.NOT_A_PARTITION);
        }
    }

    @Test
    void shouldRenameAPartitionDirectoryWithTooManyDigitsAsideAndKeepTheMetadataLog() throws IOException {
        writePartitionDir("t-1234567890");
        writePartitionDir("__cluster_metadata-0");
        try (LocalController controller = LocalController.open(metadataDir)) {
            controller.createTopic("t", 1, Map.of());
            assertThat(PartitionDirs.scan(List.of(logDir), controller.image(), "__cluster_metadata-0", 1))
                    .isEmpty();
        }
        strayOf("t-1234567890");
        assertThat(logDir.resolve("__cluster_metadata-0")).exists();
    }

    @Test
    void shouldStopWhenALogDirCannotBeListed() throws IOException {
        Path missing = logDir.resolve("missing");
        try (LocalController controller = LocalController.open(metadataDir)) {
            assertThatThrownBy(
                            () -> PartitionDirs.scan(List.of(missing), controller.image(), "__cluster_metadata-0", 1))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(missing.toString());
        }
    }

    @Test
    void shouldCapTheStrayNameOfALongTopicAt255Characters() throws IOException {
        String topic = "t".repeat(249);
        writePartitionDir(topic + "-7");
        try (LocalController controller = LocalController.open(metadataDir)) {
            PartitionDirs.scan(List.of(logDir), controller.image(), "__cluster_metadata-0", 1);
        }
        List<String> names = children();
        assertThat(names).hasSize(1);
        assertThat(names.get(0)).hasSize(255).matches("t+-7" + STRAY);
    }

    @Test
    void shouldDeleteWhatATopicDeletionLeftBehindOnly() throws IOException {
        writePartitionDir("deleted-0." + UUID.randomUUID().toString().replace("-", "") + "-delete");
        writePartitionDir("0123456789abcdef0123456789abcdef-delete");
        try (LocalController controller = LocalController.open(metadataDir)) {
            PartitionDirs.scan(List.of(logDir), controller.image(), "__cluster_metadata-0", 1);
        }
        assertThat(children())
                .as("only a topic-partition.uniqueId-delete directory is deleted")
                .containsExactly("0123456789abcdef0123456789abcdef-delete");
    }

    @Test
    void shouldDeleteATopicsDirectoryThroughADeleteRename() throws IOException {
        writePartitionDir("gone-3");

        PartitionDirs.delete(logDir.resolve("gone-3"));

        assertThat(children()).isEmpty();
    }

    @Test
    void shouldRenameADirectoryOfAnotherTopicIdAsideOnly() throws IOException {
        TopicImage topic = new TopicImage("t", Uuid.randomUuid(), 2, Map.of());
        writePartitionDir("t-0");
        writePartitionDir("t-1");
        PartitionDirs.writeIfMissing(logDir.resolve("t-0"), topic.topicId(), true);
        PartitionDirs.writeIfMissing(logDir.resolve("t-1"), Uuid.randomUuid(), true);

        PartitionDirs.renameIfStale(logDir.resolve("t-0"), topic);
        PartitionDirs.renameIfStale(logDir.resolve("t-1"), topic);

        assertThat(logDir.resolve("t-0").resolve(PartitionDirs.PARTITION_METADATA))
                .exists();
        assertThat(logDir.resolve("t-1")).doesNotExist();
        assertThat(strayOf("t-1").resolve(PartitionDirs.PARTITION_METADATA)).exists();
    }

    /** A power cut before a batch of new logs was synced may leave an empty {@code partition.metadata}: rewritten. */
    @Test
    void shouldRewriteAnUnreadablePartitionMetadataAndKeepAReadableOne() throws IOException {
        writePartitionDir("t-0");
        Path metadata = logDir.resolve("t-0").resolve(PartitionDirs.PARTITION_METADATA);
        Files.write(metadata, new byte[0]);
        Uuid id = Uuid.randomUuid();

        PartitionDirs.writeIfMissing(logDir.resolve("t-0"), id, false);
        PartitionDirs.writeIfMissing(logDir.resolve("t-0"), Uuid.randomUuid(), false);

        assertThat(Files.readString(metadata)).contains(id.toString());
    }
}
