package io.piste.broker.partition;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.storage.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties partition directories to their topic's id, as Kafka's {@code partition.metadata} file does, so that
 * a directory left behind by a deleted topic (a crash between the metadata change and the deletion) is
 * never served as the data of a new topic with the same name.
 *
 * <pre>
 * partition.metadata:  version: 0
 *                      topic_id: &lt;base64 topic id&gt;
 * </pre>
 */
final class PartitionDirs {

    private static final Logger log = LoggerFactory.getLogger(PartitionDirs.class);
    static final String PARTITION_METADATA = "partition.metadata";
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(\\d+)");

    private PartitionDirs() {
    }

    /** Deletes {@code dir} when it belongs to another topic id than {@code topic}'s. */
    static void deleteIfStale(Path dir, TopicImage topic) throws IOException {
        Path file = dir.resolve(PARTITION_METADATA);
        if (!Files.exists(file)) {
            return;
        }
        Uuid owner = readTopicId(file);
        if (owner != null && !owner.equals(topic.topicId())) {
            log.warn("Deleting {}: it belongs to topic id {}, not to {} (id {})", dir, owner, topic.name(),
                topic.topicId());
            deleteRecursively(dir);
        }
    }

    static void writeIfMissing(Path dir, Uuid topicId) {
        Path file = dir.resolve(PARTITION_METADATA);
        if (Files.exists(file)) {
            return;
        }
        String text = "version: 0\ntopic_id: " + topicId + "\n";
        try {
            AtomicFiles.write(file, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true);
        } catch (IOException e) {
            log.warn("Could not write {}: {}", file, e.toString());
        }
    }

    private static Uuid readTopicId(Path file) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("topic_id:")) {
                    return Uuid.fromString(line.substring("topic_id:".length()).trim());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            log.warn("Unreadable {}: {}", file, e.toString());
        }
        return null;
    }

    /**
     * Deletes the partition directories in the log dirs that the image no longer has (their topic was
     * deleted, and the broker stopped before the directories were). {@code keep} names directories that are
     * not partitions of a topic, such as the metadata log's.
     */
    static void sweepOrphans(List<Path> logDirs, MetadataImage image, String keep) {
        for (Path logDir : logDirs) {
            try (Stream<Path> children = Files.list(logDir)) {
                for (Path child : (Iterable<Path>) children::iterator) {
                    String name = child.getFileName().toString();
                    Matcher m = PARTITION_DIR.matcher(name);
                    if (!Files.isDirectory(child) || name.equals(keep) || !m.matches()) {
                        continue;
                    }
                    TopicImage topic = image.topic(m.group(1));
                    if (topic == null || Long.parseLong(m.group(2)) >= topic.partitionCount()) {
                        log.warn("Deleting {}: its topic or partition no longer exists", child);
                        deleteRecursively(child);
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Could not sweep {} for deleted partitions: {}", logDir, e.toString());
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
