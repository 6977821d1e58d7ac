package io.piste.broker.partition;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.storage.checkpoint.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partition directories on disk against the metadata. {@code partition.metadata} ties a directory to its topic's
 * id, as Kafka's does, so that a directory left behind by a deleted topic is never served as the data of a new
 * topic with the same name.
 *
 * <pre>
 * partition.metadata:  version: 0
 *                      topic_id: &lt;base64 topic id&gt;
 * </pre>
 *
 * <p>No data is deleted because the metadata does not know it: the metadata may be the part that was lost. A
 * directory that no topic of the image has, or that belongs to another topic id, is renamed aside as a Kafka
 * <em>stray log</em>, {@code <topic>-<partition>.<uniqueId>-stray}, with one warning naming both paths; it is never
 * loaded and never renamed again, and an operator deletes it or moves it back. Only a deletion the user asked for
 * deletes data: the directory is first renamed {@code <topic>-<partition>.<uniqueId>-delete}, so that what a crash
 * leaves half-deleted is recognised and finished at the next start. Names follow Kafka's, the topic cut so that
 * the whole name fits in 255 characters. Stateless; called from the start-up and the metadata thread.
 */
final class PartitionDirs {

    private static final Logger log = LoggerFactory.getLogger(PartitionDirs.class);
    static final String PARTITION_METADATA = "partition.metadata";
    static final String STRAY_DIR_SUFFIX = "-stray";
    static final String DELETE_DIR_SUFFIX = "-delete";
    private static final Pattern STRAY_DIR = Pattern.compile("(\\S+)-(\\S+)\\.(\\S+)" + STRAY_DIR_SUFFIX);
    private static final Pattern DELETE_DIR = Pattern.compile("(\\S+)-(\\S+)\\.(\\S+)" + DELETE_DIR_SUFFIX);
    private static final int MAX_DIR_NAME_CHARS = 255;
    /** More digits than a partition index can have: such a directory is nobody's partition. */
    private static final int MAX_PARTITION_DIGITS = 9;
    /** What {@link #partitionIndex} says of a name that is not {@code <topic>-<digits>}. */
    static final int NOT_A_PARTITION = -1;
    /** What {@link #partitionIndex} says of {@code <topic>-<digits>} with more digits than an index has. */
    static final int TOO_MANY_DIGITS = -2;

    private PartitionDirs() {}

    /** Renames {@code dir} aside as a stray log when it belongs to another topic id than {@code topic}'s. */
    static void renameIfStale(Path dir, TopicImage topic) throws IOException {
        Path file = dir.resolve(PARTITION_METADATA);
        if (!Files.exists(file)) {
            return;
        }
        Uuid owner = readTopicId(file);
        if (owner != null && !owner.equals(topic.topicId())) {
            renameAsStray(
                    dir,
                    "it belongs to topic id " + owner + ", not to " + topic.name() + " (id " + topic.topicId() + ")");
        }
    }

    /** The log dir of {@code logDirs} holding directory {@code dirName}, or null if none does. */
    static Path logDirHolding(List<Path> logDirs, String dirName) {
        for (Path dir : logDirs) {
            if (Files.isDirectory(dir.resolve(dirName))) {
                return dir;
            }
        }
        return null;
    }

    /** Writes {@code partition.metadata} naming {@code topicId} unless a readable one is there; durably with fsync. */
    static void writeIfMissing(Path dir, Uuid topicId, boolean fsync) {
        Path file = dir.resolve(PARTITION_METADATA);
        if (Files.exists(file) && readTopicId(file) != null) {
            return; // an unreadable one (a power cut before a batch's sync) is written again
        }
        String text = "version: 0\ntopic_id: " + topicId + "\n";
        try {
            AtomicFiles.write(file, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), fsync);
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
     * At start-up, before any partition is opened: the partition directories of the image in the log dirs, by name,
     * each with the first log dir holding it. On the way, renames aside as stray the partition directories that the
     * image has no partition for, or whose replica node {@code self} no longer holds (a reassignment moved it while
     * this node was away), and finishes the deletions a crash interrupted ({@code -delete} directories).
     * {@code keep} names a directory that is not a partition of a topic, the metadata log's.
     *
     * <p>One listing per log dir, and a name of the image costs no stat and no regular expression: a start lists
     * tens of thousands of them (20,000 partitions: two listings with a regex per name took ~0.4 s of a start's CPU,
     * interpreted code mostly). A log dir that cannot be listed stops the start: its partitions would be created
     * afresh in another one.
     */
    static Map<String, Path> scan(List<Path> logDirs, MetadataImage image, String keep, int self) throws IOException {
        Map<String, Path> found = new HashMap<>();
        for (Path logDir : logDirs) {
            int strays = 0;
            for (String name : listNames(logDir)) {
                if (name.equals(keep)) {
                    continue;
                }
                int index = partitionIndex(name);
                if (index >= 0 && isPartitionOf(image, name, index, self)) {
                    found.putIfAbsent(name, logDir);
                    continue;
                }
                strays += sweep(logDir.resolve(name), name, index != NOT_A_PARTITION);
            }
            if (strays > 0) {
                log.warn(
                        "{} keeps {} stray partition directories (*{}) from earlier starts: not served; move them"
                                + " back or delete them once their data is not needed",
                        logDir,
                        strays,
                        STRAY_DIR_SUFFIX);
            }
        }
        return found;
    }

    /** The names in {@code logDir}; {@link File#list()} makes no Path per entry, and says null where it failed. */
    private static String[] listNames(Path logDir) throws IOException {
        String[] names = logDir.toFile().list();
        if (names != null) {
            return names;
        }
        // The cause, which File.list() does not give: the same listing through NIO throws it.
        try (DirectoryStream<Path> children = Files.newDirectoryStream(logDir)) {
            children.iterator().hasNext();
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        throw new IOException("Could not list log dir " + logDir);
    }

    /**
     * What a directory that no partition of the image owns is: a stray one is counted (returns 1), a {@code -delete}
     * one deleted, a partition directory ({@code partitionLike}) renamed aside as stray; anything else is left alone.
     */
    private static int sweep(Path child, String name, boolean partitionLike) {
        if (!Files.isDirectory(child)) {
            return 0;
        }
        if (STRAY_DIR.matcher(name).matches()) {
            return 1;
        }
        if (DELETE_DIR.matcher(name).matches()) {
            deleteQuietly(child);
        } else if (partitionLike) {
            renameQuietly(child, "no topic in the metadata has this partition");
        }
        return 0;
    }

    /**
     * The partition index of a directory named {@code <topic>-<index>} (a topic of one character or more, then a dash
     * and ASCII digits), {@link #NOT_A_PARTITION} for another name, {@link #TOO_MANY_DIGITS} for an index of more than
     * 9 digits: such a directory is nobody's partition. Kafka's pattern {@code (.+)-(\d+)} without a regex.
     */
    static int partitionIndex(String name) {
        int dash = name.lastIndexOf('-');
        int digits = name.length() - dash - 1;
        if (dash < 1 || digits < 1) {
            return NOT_A_PARTITION;
        }
        int index = 0;
        for (int i = dash + 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return NOT_A_PARTITION;
            }
            if (digits <= MAX_PARTITION_DIGITS) {
                index = index * 10 + (c - '0');
            }
        }
        return digits > MAX_PARTITION_DIGITS ? TOO_MANY_DIGITS : index;
    }

    private static boolean isPartitionOf(MetadataImage image, String dirName, int index, int self) {
        TopicImage topic = image.topic(dirName.substring(0, dirName.lastIndexOf('-')));
        return topic != null && Assignments.isReplica(image, topic, index, self);
    }

    private static void renameQuietly(Path dir, String reason) {
        try {
            renameAsStray(dir, reason);
        } catch (IOException e) {
            // Left under its name it is still not loaded: no topic of the image has it.
            log.warn("Could not rename {} aside as a stray log ({}): {}", dir, reason, e.toString());
        }
    }

    private static void renameAsStray(Path dir, String reason) throws IOException {
        Path stray = renameAside(dir, STRAY_DIR_SUFFIX);
        log.warn("Renamed {} to {}: {}; its data is kept, not served", dir, stray.getFileName(), reason);
    }

    /**
     * Deletes the directory of a partition whose topic was deleted: renamed {@code -delete} first, so that a crash
     * during the deletion leaves a directory the next start deletes, not one it would take for a stray log.
     */
    static void delete(Path dir) throws IOException {
        deleteRecursively(renameAside(dir, DELETE_DIR_SUFFIX));
    }

    /** Closes the log of a partition whose topic was deleted (or whose creation failed), then deletes its directory. */
    static void closeAndDeleteQuietly(Partition partition) {
        try {
            partition.log().close();
        } catch (IOException | RuntimeException e) {
            log.warn("Could not close {} before deleting it: {}", partition, e.toString());
        }
        deleteAfterTopicQuietly(partition.log().dir());
    }

    /** {@link #delete}, logging a failure: the next start deletes a {@code -delete} directory left behind. */
    static void deleteAfterTopicQuietly(Path dir) {
        try {
            delete(dir);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteRecursively(dir);
            log.info("Deleted {}, left by a topic deletion that a stop interrupted", dir);
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    /** Renames {@code <topic>-<partition>} to {@code <topic>-<partition>.<uniqueId><suffix>}, durably. */
    private static Path renameAside(Path dir, String suffix) throws IOException {
        Path aside = dir.resolveSibling(asideName(dir.getFileName().toString(), suffix));
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDirectory(aside.toAbsolutePath().getParent());
        return aside;
    }

    /** Kafka's {@code logDirNameWithSuffixCappedLength}: the topic is cut so that the name fits in 255 chars. */
    static String asideName(String dirName, String suffix) {
        int dash = dirName.lastIndexOf('-');
        String topic = dirName.substring(0, dash);
        String uniqueId = UUID.randomUUID().toString().replace("-", "");
        String fullSuffix = dirName.substring(dash) + "." + uniqueId + suffix;
        return topic.substring(0, Math.min(topic.length(), MAX_DIR_NAME_CHARS - fullSuffix.length())) + fullSuffix;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
