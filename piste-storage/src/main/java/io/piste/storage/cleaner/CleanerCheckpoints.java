package io.piste.storage.cleaner;

import io.piste.storage.checkpoint.OffsetCheckpointFile;
import io.piste.storage.checkpoint.TopicPartitionKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first dirty offset of each compacted partition, in {@code cleaner-offset-checkpoint} of its log dir (Kafka's
 * file and format). Read once, trusting nothing: an unreadable file counts as empty (every log is then cleaned from
 * its start, which costs time, never data), and each offset is checked against its log when used
 * ({@link CleaningCandidate#of}). Thread-safe.
 */
final class CleanerCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(CleanerCheckpoints.class);
    static final String FILE_NAME = "cleaner-offset-checkpoint";

    private final Map<Path, Map<TopicPartitionKey, Long>> byLogDir = new HashMap<>();

    CleanerCheckpoints(List<Path> logDirs) {
        for (Path dir : logDirs) {
            Map<TopicPartitionKey, Long> offsets = new HashMap<>();
            try {
                offsets.putAll(new OffsetCheckpointFile(dir.resolve(FILE_NAME)).read());
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "Ignoring an unreadable cleaner checkpoint; its logs are cleaned from their start: dir={} "
                                + "reason={}",
                        dir,
                        e.toString());
            }
            byLogDir.put(dir, offsets);
        }
    }

    /** The checkpointed first dirty offset of the partition in {@code logDir}, or -1. */
    synchronized long firstDirtyOffset(Path logDir, TopicPartitionKey partition) {
        Long offset = byLogDir.getOrDefault(logDir, Map.of()).get(partition);
        return offset == null ? -1 : offset;
    }

    /** Records and writes (atomically, durably) the new first dirty offset of one partition. */
    synchronized void update(Path logDir, TopicPartitionKey partition, long firstDirtyOffset) throws IOException {
        Map<TopicPartitionKey, Long> offsets = byLogDir.computeIfAbsent(logDir, d -> new HashMap<>());
        offsets.put(partition, firstDirtyOffset);
        new OffsetCheckpointFile(logDir.resolve(FILE_NAME)).write(offsets);
    }
}
