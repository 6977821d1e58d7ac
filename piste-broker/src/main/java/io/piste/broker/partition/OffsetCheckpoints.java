package io.piste.broker.partition;

import io.piste.storage.checkpoint.OffsetCheckpointFile;
import io.piste.storage.checkpoint.TopicPartitionKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery-point, high-watermark and log-start-offset checkpoint files of the log dirs (Kafka's names and format):
 * read once at start-up, written whole, one file of each kind per log dir. A log that is not open keeps what was read: it has
 * not changed since.
 */
final class OffsetCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(OffsetCheckpoints.class);
    /** Kafka's file: retention and DeleteRecords write it before deleting any segment below a new log start offset. */
    static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";

    private final List<Path> logDirs;
    private final Map<Path, Map<TopicPartitionKey, Long>> recoveryPoints = new HashMap<>();
    private final Map<Path, Map<TopicPartitionKey, Long>> highWatermarks = new HashMap<>();
    private final Map<Path, Map<TopicPartitionKey, Long>> logStartOffsets = new HashMap<>();
    /** What the last {@link #write} put in each file, so that an unchanged file is not written again. */
    private final Map<Path, Map<TopicPartitionKey, Long>> lastWritten = new HashMap<>();

    /** Reads the checkpoints of {@code logDirs}; an unreadable one is ignored with a warning (recovery scans more). */
    OffsetCheckpoints(List<Path> logDirs) {
        this.logDirs = logDirs;
        for (Path dir : logDirs) {
            recoveryPoints.put(dir, read(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)));
            highWatermarks.put(dir, read(dir.resolve(LogManager.HIGH_WATERMARK_CHECKPOINT)));
            logStartOffsets.put(dir, read(dir.resolve(LOG_START_OFFSET_CHECKPOINT)));
        }
    }

    private static Map<TopicPartitionKey, Long> read(Path file) {
        try {
            return new OffsetCheckpointFile(file).read();
        } catch (IOException | RuntimeException e) {
            log.warn("Ignoring unreadable checkpoint {}: {}", file, e.toString());
            return Map.of();
        }
    }

    /** The recovery point read at start-up for a partition in {@code logDir}, 0 (unknown) if none. */
    long recoveryPoint(Path logDir, TopicPartitionKey key) {
        return recoveryPoints.getOrDefault(logDir, Map.of()).getOrDefault(key, 0L);
    }

    /** The high watermark read at start-up for a partition in {@code logDir}, 0 if none. */
    long highWatermark(Path logDir, TopicPartitionKey key) {
        return highWatermarks.getOrDefault(logDir, Map.of()).getOrDefault(key, 0L);
    }

    /** The log start offset read at start-up for a partition in {@code logDir}, 0 if none (the log clamps it). */
    long logStartOffset(Path logDir, TopicPartitionKey key) {
        return logStartOffsets.getOrDefault(logDir, Map.of()).getOrDefault(key, 0L);
    }

    /**
     * Writes the three files of every log dir, for the partitions {@code forEachSlot} walks; a file whose content would not
     * change is left as it is (it is durable already). With thousands of partitions, most of them idle or never
     * opened, the checkpoint each second otherwise rewrites and fsyncs the same lines again and again.
     */
    void write(Consumer<Consumer<PartitionSlot>> forEachSlot) throws IOException {
        Map<Path, Map<TopicPartitionKey, Long>> recovery = new HashMap<>();
        Map<Path, Map<TopicPartitionKey, Long>> watermarks = new HashMap<>();
        Map<Path, Map<TopicPartitionKey, Long>> starts = new HashMap<>();
        for (Path dir : logDirs) {
            recovery.put(dir, new HashMap<>());
            watermarks.put(dir, new HashMap<>());
            starts.put(dir, new HashMap<>());
        }
        forEachSlot.accept(slot -> {
            Path dir = slot.logDir();
            if (dir != null && recovery.containsKey(dir)) {
                TopicPartitionKey key = new TopicPartitionKey(slot.topic(), slot.index());
                recovery.get(dir).put(key, slot.recoveryPoint());
                watermarks.get(dir).put(key, slot.highWatermark());
                starts.get(dir).put(key, slot.logStartOffset());
            }
        });
        for (Path dir : logDirs) {
            writeIfChanged(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT), recovery.get(dir));
            writeIfChanged(dir.resolve(LogManager.HIGH_WATERMARK_CHECKPOINT), watermarks.get(dir));
            writeIfChanged(dir.resolve(LOG_START_OFFSET_CHECKPOINT), starts.get(dir));
        }
    }

    private void writeIfChanged(Path file, Map<TopicPartitionKey, Long> offsets) throws IOException {
        if (offsets.equals(lastWritten.get(file))) {
            return;
        }
        lastWritten.remove(file); // until the write succeeds, the file's content is unknown
        new OffsetCheckpointFile(file).write(offsets);
        lastWritten.put(file, offsets);
    }
}
