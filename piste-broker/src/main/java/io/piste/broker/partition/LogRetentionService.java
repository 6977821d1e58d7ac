package io.piste.broker.partition;

import io.piste.storage.errors.OffsetOutOfRangeException;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.RetentionProbe;
import io.piste.storage.log.SegmentDeleter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves log start offsets and deletes the segments below them: retention each {@code log.retention.check.interval.ms}
 * (Kafka's LogManager.cleanupLogs) and DeleteRecords. Every move is made durable before any file goes: the log start
 * offsets move in memory, {@code log-start-offset-checkpoint} is written (with the other checkpoints), and only then are
 * the segments below them deleted ({@code UnifiedLog.retention()}). A crash in between finds the new log start offsets
 * and the old segments, which the next pass deletes; a failed checkpoint deletes nothing.
 *
 * <p>Threads: everything runs on the log scheduler thread, which also writes the periodic checkpoints, so that no log
 * start offset moves between the checkpoint and the deletions it covers.
 */
public final class LogRetentionService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogRetentionService.class);

    /** Writes the checkpoint files (LogManager's, synchronized with its periodic write). */
    interface CheckpointWriter {
        void write() throws IOException;
    }

    /** The answer for one partition of a DeleteRecords: an error, or the new low watermark (log start offset). */
    public record DeleteRecordsResult(Errors error, long lowWatermark) {}

    private final ScheduledExecutorService scheduler;
    private final SegmentDeleter deleter;
    private final Consumer<Consumer<PartitionSlot>> forEachSlot;
    private final PartitionSlot.Opener opener;
    private final Function<String, LogConfig> configOfTopic;
    private final CheckpointWriter checkpoint;
    private volatile boolean stopping;

    LogRetentionService(
            ScheduledExecutorService scheduler,
            Consumer<Consumer<PartitionSlot>> forEachSlot,
            PartitionSlot.Opener opener,
            Function<String, LogConfig> configOfTopic,
            CheckpointWriter checkpoint) {
        this.scheduler = scheduler;
        this.deleter = new SegmentDeleter(scheduler);
        this.forEachSlot = forEachSlot;
        this.opener = opener;
        this.configOfTopic = configOfTopic;
        this.checkpoint = checkpoint;
    }

    /** Kafka's schedule: a first pass after 30 s (or the interval, if shorter), then each interval. */
    void start(long checkIntervalMs) {
        long firstMs = Math.min(30_000L, checkIntervalMs);
        scheduler.scheduleWithFixedDelay(this::runQuietly, firstMs, checkIntervalMs, TimeUnit.MILLISECONDS);
    }

    private void runQuietly() {
        try {
            run(System.currentTimeMillis());
        } catch (RuntimeException e) {
            log.warn("Retention pass failed: {}", e.toString());
        }
    }

    /**
     * Tells a pass in progress, and every later one, to stop at its next log: the broker is closing. Log start offsets
     * already moved in memory are the close's checkpoint to write; segments not yet deleted go at the next start.
     */
    void stop() {
        stopping = true;
    }

    /** One retention pass over every log at {@code nowMs}; returns the number of segments deleted. */
    int run(long nowMs) {
        List<Partition> logs = new ArrayList<>();
        forEachSlot.accept(slot -> {
            if (stopping) {
                return;
            }
            Partition p = slot.opened();
            if (p == null) {
                p = openIfRetentionMayApply(slot, nowMs);
            }
            if (p != null && !p.isOffline() && !p.isDeleted()) {
                logs.add(p);
            }
        });
        for (Partition p : logs) {
            if (stopping) {
                return 0;
            }
            try {
                p.log().retention().applyRetention(nowMs);
            } catch (IOException | RuntimeException e) {
                log.warn("Retention of {} failed: {}", p, e.toString());
            }
        }
        return deleteBelowLogStart(logs);
    }

    /**
     * A log not opened since the start has not changed, but its old segments may have expired meanwhile: rather than
     * open every such log each pass (logs open at their first use, to spare a broker with thousands nobody reads), its
     * directory is probed from the files ({@link RetentionProbe}: sizes and the oldest segment's largest timestamp),
     * and the log is opened only if retention may delete something.
     */
    private Partition openIfRetentionMayApply(PartitionSlot slot, long nowMs) {
        Path logDir = slot.logDir();
        LogConfig config = configOfTopic.apply(slot.topic());
        if (logDir == null || config == null || slot.failed()) {
            return null;
        }
        try {
            if (!RetentionProbe.mayBreachRetention(logDir.resolve(slot.toString()), config.cleanup(), nowMs)) {
                return null;
            }
            return slot.get(opener);
        } catch (IOException | RuntimeException e) {
            log.warn("Retention could not look at {}: {}", slot, e.toString());
            return null;
        }
    }

    /** Makes the log start offsets durable, then deletes the segments below them. */
    private int deleteBelowLogStart(List<Partition> logs) {
        try {
            checkpoint.write();
        } catch (IOException | RuntimeException e) {
            log.warn("Could not write the log start offsets; no segment deleted until they are: {}", e.toString());
            return 0;
        }
        int deleted = 0;
        for (Partition p : logs) {
            if (stopping) {
                break;
            }
            try {
                deleted += p.log().retention().deleteSegmentsBelowLogStart(deleter);
            } catch (IOException | RuntimeException e) {
                log.warn("Could not delete segments of {}: {}", p, e.toString());
            }
        }
        return deleted;
    }

    /**
     * DeleteRecords on the scheduler thread: moves each partition's log start offset to its offset (at most the high
     * watermark), writes the checkpoint, deletes the segments below, then hands {@code done} the result of each.
     * Partitions whose move failed get their error; if the checkpoint fails, every partition gets KAFKA_STORAGE_ERROR
     * (its log start offset may have moved in memory, not on disk: a retry does it again).
     */
    public void deleteRecords(Map<Partition, Long> offsets, Consumer<Map<Partition, DeleteRecordsResult>> done) {
        try {
            scheduler.execute(() -> done.accept(deleteRecordsNow(offsets)));
        } catch (RejectedExecutionException e) {
            Map<Partition, DeleteRecordsResult> failed = new LinkedHashMap<>();
            offsets.keySet().forEach(p -> failed.put(p, new DeleteRecordsResult(Errors.KAFKA_STORAGE_ERROR, -1)));
            done.accept(failed);
        }
    }

    private Map<Partition, DeleteRecordsResult> deleteRecordsNow(Map<Partition, Long> offsets) {
        Map<Partition, DeleteRecordsResult> results = new LinkedHashMap<>();
        List<Partition> moved = new ArrayList<>();
        for (Map.Entry<Partition, Long> e : offsets.entrySet()) {
            Partition p = e.getKey();
            try {
                p.log().retention().maybeIncrementLogStartOffset(e.getValue());
                moved.add(p);
            } catch (OffsetOutOfRangeException ex) {
                results.put(p, new DeleteRecordsResult(Errors.OFFSET_OUT_OF_RANGE, -1));
            } catch (IOException | RuntimeException ex) {
                log.warn("DeleteRecords on {} failed: {}", p, ex.toString());
                results.put(p, new DeleteRecordsResult(Errors.KAFKA_STORAGE_ERROR, -1));
            }
        }
        try {
            checkpoint.write();
        } catch (IOException | RuntimeException ex) {
            log.warn("DeleteRecords: could not write the log start offsets: {}", ex.toString());
            moved.forEach(p -> results.put(p, new DeleteRecordsResult(Errors.KAFKA_STORAGE_ERROR, -1)));
            return results;
        }
        for (Partition p : moved) {
            try {
                p.log().retention().deleteSegmentsBelowLogStart(deleter);
            } catch (IOException | RuntimeException ex) {
                // The log start offset is durable: the next retention pass deletes them.
                log.warn("DeleteRecords: could not delete segments of {} yet: {}", p, ex.toString());
            }
            results.put(p, new DeleteRecordsResult(Errors.NONE, p.logStartOffset()));
        }
        return results;
    }

    /** The one deleter of segments: retention's, DeleteRecords' and those the log cleaner replaces. */
    public SegmentDeleter segmentDeleter() {
        return deleter;
    }

    /** Segments renamed and waiting for file.delete.delay.ms, for tests. */
    int pendingDeletions() {
        return deleter.pendingCount();
    }

    /** Removes the files of deleted segments now: called once the logs are closed. */
    @Override
    public void close() {
        deleter.close();
    }
}
