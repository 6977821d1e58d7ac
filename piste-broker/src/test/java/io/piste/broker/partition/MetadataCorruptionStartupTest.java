package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.CorruptMetadataLogException;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bit flipped anywhere in the metadata log never costs partition data: the start-up (controller, then
 * log manager) either refuses with the file and byte position named, or loads the valid records; in both
 * cases every segment file written before is still on disk, under its own directory or one renamed aside.
 */
class MetadataCorruptionStartupTest {

    private static final String METADATA_DIR = Topic.CLUSTER_METADATA_TOPIC_PARTITION.toString();

    @TempDir
    Path pristine;

    @TempDir
    Path work;

    private static BrokerConfig config(Path root) {
        return new BrokerConfig(
                Map.of(BrokerConfig.LOG_DIRS_CONFIG, root.resolve("logs").toString()));
    }

    private static Path metadataDir(Path root) {
        return root.resolve("logs").resolve(METADATA_DIR);
    }

    /** Three topics with data, a config and a producer-id block: a metadata log of a few hundred bytes. */
    private MetadataImage writePristineBroker() throws IOException {
        try (LocalController controller = LocalController.open(metadataDir(pristine));
                LogManager replicas = new LogManager(config(pristine))) {
            replicas.startup(controller.image());
            controller.setListener(replicas);
            controller.createTopic("orders", 2, Map.of());
            controller.createTopic("payments", 1, Map.of("cleanup.policy", "compact"));
            controller.createTopic("audit", 1, Map.of());
            controller.nextProducerId();
            for (TopicImage topic : controller.image().topics()) {
                for (int p = 0; p < topic.partitionCount(); p++) {
                    MemoryRecords batch = MemoryRecords.withRecords(
                            Compression.NONE, new SimpleRecord(("data of " + topic.name() + "-" + p).getBytes()));
                    replicas.partition(topic.name(), p).appendRecordsToLeader(batch.buffer());
                }
            }
            return controller.image();
        }
    }

    @Test
    void shouldKeepEveryPartitionFileWhateverBitOfTheMetadataLogFlips() throws IOException {
        MetadataImage written = writePristineBroker();
        Map<Path, byte[]> segments = segmentFiles(pristine.resolve("logs"));
        assertThat(segments).as("segments written").hasSizeGreaterThanOrEqualTo(4);
        Path logFile = metadataDir(pristine).resolve("metadata.log");
        byte[] original = Files.readAllBytes(logFile);
        int refused = 0;
        Path root = work.resolve("broker");
        copyTree(pristine, root);
        for (int position = 0; position < original.length; position++) {
            byte[] flipped = original.clone();
            flipped[position] ^= (byte) (1 << (position % 8));
            Path flippedFile = metadataDir(root).resolve("metadata.log");
            Files.write(flippedFile, flipped);
            String where = "bit " + (position % 8) + " of byte " + position;
            boolean started = false;
            try (LocalController controller = LocalController.open(metadataDir(root));
                    LogManager replicas = new LogManager(config(root))) {
                started = true;
                replicas.startup(controller.image());
                // Loaded, then with every change: a record is never dropped for the tail around it.
                assertThat(controller.image().topics())
                        .as(where + ": topics")
                        .containsExactlyInAnyOrderElementsOf(written.topics());
                assertThat(controller.image().producerIdBlockEnd())
                        .as(where + ": producer ids")
                        .isEqualTo(written.producerIdBlockEnd());
            } catch (CorruptMetadataLogException e) {
                refused++;
                assertThat(e.getMessage())
                        .as(where)
                        .contains(flippedFile.toString())
                        .contains("byte ");
            }
            assertSegmentsKept(segments, root.resolve("logs"), where);
            if (started) {
                // A start may write (checkpoints, a kept torn tail): the next flip starts from the pristine files.
                deleteTree(root);
                copyTree(pristine, root);
            }
        }
        assertThat(refused).as("flips refused of " + original.length).isGreaterThan(original.length / 2);
    }

    @Test
    void shouldStartOnEveryTruncationOfTheMetadataLogAndKeepEveryPartitionFile() throws IOException {
        MetadataImage written = writePristineBroker();
        Map<Path, byte[]> segments = segmentFiles(pristine.resolve("logs"));
        byte[] original = Files.readAllBytes(metadataDir(pristine).resolve("metadata.log"));
        for (int length : cutPoints(original)) {
            Path root = work.resolve(Integer.toString(length));
            copyTree(pristine, root);
            Files.write(metadataDir(root).resolve("metadata.log"), Arrays.copyOf(original, length));
            String where = "metadata log cut at byte " + length;
            try (LocalController controller = LocalController.open(metadataDir(root));
                    LogManager replicas = new LogManager(config(root))) {
                replicas.startup(controller.image());
                for (TopicImage loaded : controller.image().topics()) {
                    assertThat(written.topic(loaded.topicId()))
                            .as(where + ": a topic of the log")
                            .isNotNull();
                }
            }
            assertSegmentsKept(segments, root.resolve("logs"), where);
        }
    }

    /**
     * Where to cut: around each line boundary (a whole line, one byte more, the newline missing), and at positions
     * from a seeded Random. Each cut is a full start-up, so not every byte: the loader sees the same cases.
     */
    private static SortedSet<Integer> cutPoints(byte[] log) {
        SortedSet<Integer> cuts = new TreeSet<>(List.of(0, 1));
        for (int i = 0; i < log.length; i++) {
            if (log[i] == '\n') {
                cuts.addAll(List.of(i, i + 1, Math.min(i + 2, log.length - 1)));
            }
        }
        Random random = new Random(12);
        for (int i = 0; i < 20; i++) {
            cuts.add(random.nextInt(log.length));
        }
        cuts.removeIf(cut -> cut >= log.length);
        return cuts;
    }

    private static void assertSegmentsKept(Map<Path, byte[]> segments, Path logs, String where) throws IOException {
        Map<Path, byte[]> now = segmentFiles(logs);
        for (Map.Entry<Path, byte[]> segment : segments.entrySet()) {
            Path partitionDir = segment.getKey().getParent();
            Path found = null;
            for (Path candidate : now.keySet()) {
                String dirName = candidate.getParent().toString();
                if (candidate.getFileName().equals(segment.getKey().getFileName())
                        && (dirName.equals(partitionDir.toString())
                                || dirName.matches(Pattern.quote(partitionDir.toString()) + "\\.[0-9a-f]{32}-stray"))) {
                    found = candidate;
                }
            }
            assertThat(found)
                    .as(where + ": " + segment.getKey() + " still on disk")
                    .isNotNull();
            assertThat(now.get(found)).as(where + ": content of " + found).isEqualTo(segment.getValue());
        }
    }

    /** The non-empty {@code .log} files under the partition directories, by path relative to {@code logs}. */
    private static Map<Path, byte[]> segmentFiles(Path logs) throws IOException {
        Map<Path, byte[]> files = new HashMap<>();
        try (Stream<Path> paths = Files.walk(logs)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (path.toString().endsWith(".log")
                        && !path.getParent().getFileName().toString().equals(METADATA_DIR)
                        && Files.size(path) > 0) {
                    files.put(logs.relativize(path), Files.readAllBytes(path));
                }
            }
        }
        return files;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            walk.sorted(Comparator.naturalOrder()).forEach(paths::add);
        }
        for (Path path : paths) {
            Path target = to.resolve(from.relativize(path).toString());
            if (Files.isDirectory(path)) {
                Files.createDirectories(target);
            } else {
                Files.copy(path, target);
            }
        }
    }
}
