package io.piste.storage.log;

import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.checkpoint.DurableDirectories;
import io.piste.storage.checkpoint.OffsetCheckpointFile;
import io.piste.storage.checkpoint.TopicPartitionKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The logs of one log dir, opened, checkpointed and closed in the order piste-broker's {@code LogManager} does
 * it (start-up: read the clean-shutdown marker and the recovery-point checkpoint, open and flush every log, set
 * the high watermark to the log end, delete the marker; close: close every log, checkpoint, write the marker if
 * all closed). Keep it in step with LogManager: the power-loss test trusts it to recover as the broker does.
 * Single-threaded.
 */
final class LogDirLifecycle {
    static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";
    static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";

    private final Path logDir;
    private final List<TopicPartitionKey> partitions;
    private final LogConfig config;
    private final LongSupplier clockMs;
    private final FileChannelFactory files;
    private final Map<TopicPartitionKey, UnifiedLog> logs = new LinkedHashMap<>();
    /** Removals of deleted segments waiting for file.delete.delay.ms; run by {@link #removeDeletedSegments}. */
    private final List<Runnable> delayedRemovals = new ArrayList<>();

    private final SegmentDeleter deleter = new SegmentDeleter((task, delayMs) -> delayedRemovals.add(task));

    LogDirLifecycle(
            Path logDir,
            List<TopicPartitionKey> partitions,
            LogConfig config,
            LongSupplier clockMs,
            FileChannelFactory files) {
        this.logDir = logDir;
        this.files = files;
        this.partitions = partitions;
        this.config = config;
        this.clockMs = clockMs;
    }

    /** Opens every log, recovering it as the broker would. Any exception is a failed start. */
    void startup() throws IOException {
        logs.clear();
        DurableDirectories.createDirectories(logDir);
        boolean clean = CleanShutdownMarker.exists(logDir);
        Map<TopicPartitionKey, Long> recoveryPoints = readCheckpoint(logDir.resolve(RECOVERY_POINT_CHECKPOINT));
        Map<TopicPartitionKey, Long> logStarts = readCheckpoint(logDir.resolve(LOG_START_OFFSET_CHECKPOINT));
        delayedRemovals.clear(); // the process that scheduled them is gone
        for (TopicPartitionKey key : partitions) {
            UnifiedLog log = UnifiedLog.open(
                    logDir.resolve(key.toString()),
                    config,
                    clockMs,
                    clean,
                    recoveryPoints.getOrDefault(key, 0L),
                    logStarts.getOrDefault(key, 0L),
                    files);
            log.flush();
            log.updateHighWatermark(log.logEndOffset());
            logs.put(key, log);
        }
        CleanShutdownMarker.delete(logDir);
    }

    private static Map<TopicPartitionKey, Long> readCheckpoint(Path file) {
        try {
            return new OffsetCheckpointFile(file).read();
        } catch (IOException | RuntimeException e) {
            // as LogManager: an unreadable checkpoint means "recover from the start"
            return Map.of();
        }
    }

    UnifiedLog log(TopicPartitionKey key) {
        return logs.get(key);
    }

    /**
     * One round of the broker's group commit with {@code log.flush.method=syncfs} (LogFlusher): each log captures
     * its end without fsyncing, one file system sync, then each moves its recovery point. Returns once every log of
     * the round is flushed (the caller acknowledges them), or throws.
     */
    void groupCommit(List<TopicPartitionKey> round) throws IOException {
        List<LogOffsetMetadata> ends = new ArrayList<>();
        for (TopicPartitionKey key : round) {
            ends.add(logs.get(key).prepareFlush());
        }
        try (FileSystemSync sync = files.openFileSystemSync(logDir)) {
            sync.sync();
        }
        for (int i = 0; i < round.size(); i++) {
            if (ends.get(i) != null) {
                logs.get(round.get(i)).completeFlush(ends.get(i));
            }
        }
    }

    /** Writes the recovery points and high watermarks (LogManager's periodic checkpoint). */
    void checkpoint() throws IOException {
        Map<TopicPartitionKey, Long> recovery = new HashMap<>();
        Map<TopicPartitionKey, Long> highWatermarks = new HashMap<>();
        Map<TopicPartitionKey, Long> logStarts = new HashMap<>();
        for (Map.Entry<TopicPartitionKey, UnifiedLog> e : logs.entrySet()) {
            recovery.put(e.getKey(), e.getValue().recoveryPoint());
            highWatermarks.put(e.getKey(), e.getValue().highWatermark());
            logStarts.put(e.getKey(), e.getValue().logStartOffset());
        }
        new OffsetCheckpointFile(logDir.resolve(RECOVERY_POINT_CHECKPOINT)).write(recovery);
        new OffsetCheckpointFile(logDir.resolve(HIGH_WATERMARK_CHECKPOINT)).write(highWatermarks);
        new OffsetCheckpointFile(logDir.resolve(LOG_START_OFFSET_CHECKPOINT)).write(logStarts);
    }

    /**
     * DeleteRecords (or a retention pass) as the broker's LogRetentionService runs it: the log start offset moves in
     * memory, the checkpoints are written, then the segments below it are deleted (renamed; removed later).
     */
    void deleteRecords(TopicPartitionKey key, long offset) throws IOException {
        UnifiedLog log = logs.get(key);
        log.retention().maybeIncrementLogStartOffset(offset);
        checkpoint();
        log.retention().deleteSegmentsBelowLogStart(deleter);
    }

    /** file.delete.delay.ms has passed: the renamed files of deleted segments are removed. */
    void removeDeletedSegments() {
        List<Runnable> due = new ArrayList<>(delayedRemovals);
        delayedRemovals.clear();
        due.forEach(Runnable::run);
    }

    /** A clean shutdown. */
    void close() throws IOException {
        for (UnifiedLog log : logs.values()) {
            log.close();
        }
        checkpoint();
        removeDeletedSegments();
        CleanShutdownMarker.write(logDir);
        logs.clear();
    }
}
