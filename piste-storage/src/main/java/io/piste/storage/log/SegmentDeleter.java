package io.piste.storage.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes segments the way Kafka does: their files are renamed with the {@code .deleted} suffix at once (the log has
 * taken them out of its segment map before, so no new read finds them), and closed and removed
 * {@code file.delete.delay.ms} later on the given scheduler. Why the delay: a fetch that found the segment before it
 * went may still be sending a region of its file ({@code sendfile} on the open channel); the channel stays open, and
 * the bytes readable, until the delay has passed. A {@code .deleted} file left by a crash is removed by the next
 * load ({@link LogLoader}), and nothing else is. The segments a cleaning replaced go the same way
 * ({@link #deleteRenamedLater}): one queue, one delay, one crash rule for both. Thread-safe.
 *
 * <p>Design note: the renames need no directory fsync to be safe. The caller makes the new log start offset durable
 * first (the broker's {@code log-start-offset-checkpoint}); a rename lost to a power cut brings back a segment below
 * it, which the load does not use to cut the log and the next retention pass deletes again.
 */
public final class SegmentDeleter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentDeleter.class);
    static final String DELETED_SUFFIX = LogFiles.DELETED_SUFFIX;

    /** Runs a task after a delay (the broker's log scheduler; tests run them when they choose). */
    @FunctionalInterface
    public interface DelayedTasks {
        void schedule(Runnable task, long delayMs);
    }

    private final DelayedTasks scheduler;
    private final Set<LogSegment> pending = ConcurrentHashMap.newKeySet();

    /** Schedules the removals through {@code scheduler}; a rejected one (shutting down) runs at once. */
    public SegmentDeleter(DelayedTasks scheduler) {
        this.scheduler = scheduler;
    }

    /** On an executor the caller owns (and shuts down after {@link #close}). */
    public SegmentDeleter(ScheduledExecutorService executor) {
        this((task, delayMs) -> executor.schedule(task, delayMs, TimeUnit.MILLISECONDS));
    }

    /** Renames the files of {@code removed} (already out of their log's map) and removes them after {@code delayMs}. */
    void deleteLater(List<LogSegment> removed, long delayMs) {
        for (LogSegment segment : removed) {
            renameToDeleted(segment);
        }
        deleteRenamedLater(removed, delayMs);
    }

    /**
     * As {@link #deleteLater}, for segments a cleaning replaced: {@link SegmentSwap} renamed their files to
     * {@code .deleted} already (before the cleaned segment took the first one's name) and closed their indexes.
     */
    void deleteRenamedLater(List<LogSegment> removed, long delayMs) {
        for (LogSegment segment : removed) {
            pending.add(segment);
            try {
                scheduler.schedule(() -> removeNow(segment), delayMs);
            } catch (RejectedExecutionException e) {
                removeNow(segment); // shutting down: nobody reads any more
            }
        }
    }

    /** Segments renamed and not yet removed, for tests and monitoring. */
    public int pendingCount() {
        return pending.size();
    }

    /** Removes every pending segment now (a clean stop: no read is in flight any more). */
    @Override
    public void close() {
        for (LogSegment segment : pending) {
            removeNow(segment);
        }
    }

    private static void renameToDeleted(LogSegment segment) {
        // The indexes stop writing their files first: a write after the rename would create them again.
        segment.offsetIndex().close();
        segment.timeIndex().close();
        segment.txnIndex().close();
        for (Path file : List.of(
                segment.logFile(),
                segment.offsetIndex().file(),
                segment.timeIndex().file(),
                segment.txnIndex().file())) {
            try {
                if (Files.exists(file)) {
                    Files.move(file, deletedName(file), StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                // Still out of the map and below the log start offset: a later pass or the next load removes it.
                LOG.warn("Could not rename a deleted segment's file: file={} reason={}", file, e.toString());
            }
        }
    }

    private void removeNow(LogSegment segment) {
        if (!pending.remove(segment)) {
            return;
        }
        try {
            segment.closeQuietly();
        } catch (IOException e) {
            LOG.warn("Could not close a deleted segment: file={} reason={}", segment.logFile(), e.toString());
        }
        for (Path file : List.of(
                segment.logFile(),
                segment.offsetIndex().file(),
                segment.timeIndex().file(),
                segment.txnIndex().file())) {
            try {
                Files.deleteIfExists(deletedName(file));
            } catch (IOException e) {
                LOG.warn("Could not remove a deleted segment's file: file={} reason={}", file, e.toString());
            }
        }
    }

    static Path deletedName(Path file) {
        return file.resolveSibling(file.getFileName() + DELETED_SUFFIX);
    }
}
