package io.piste.storage.log;

import io.piste.storage.errors.OffsetOutOfRangeException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What moves a log's start offset and deletes the segments below it: retention by time and size
 * ({@link RetentionRules}) and DeleteRecords. Always in two steps, so that a crash between them loses nothing that
 * stays and brings back nothing that was read as gone: first the log start offset moves (in memory: reads below it
 * get OFFSET_OUT_OF_RANGE from then on), the caller makes it durable (the broker's {@code log-start-offset-checkpoint}),
 * then {@link #deleteSegmentsBelowLogStart} takes the segments wholly below it out of the log and deletes them
 * ({@link SegmentDeleter}). A log reopened after a crash in between starts at the checkpointed offset and finds the
 * segments below it, which the next pass deletes.
 *
 * <p>Threads: each call takes the log's append lock (as Kafka's deleteOldSegments takes the log's lock), so it never
 * runs during an append or a roll.
 */
public final class LogRetention {
    private final UnifiedLog log;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ReentrantLock appendLock;
    private final LogAppender appender;

    LogRetention(
            UnifiedLog log,
            ConcurrentSkipListMap<Long, LogSegment> segments,
            ReentrantLock appendLock,
            LogAppender appender) {
        this.log = log;
        this.segments = segments;
        this.appendLock = appendLock;
        this.appender = appender;
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} (never down). Returns whether it moved.
     *
     * @throws OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public boolean maybeIncrementLogStartOffset(long offset) throws IOException {
        appendLock.lock();
        try {
            log.ensureOpen();
            if (offset > log.highWatermark()) {
                throw new OffsetOutOfRangeException("cannot move the log start offset to " + offset
                        + " past the high watermark " + log.highWatermark() + ": dir=" + log.dir());
            }
            return log.setLogStartOffset(offset);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Retention by {@code retention.bytes} and {@code retention.ms} at {@code nowMs}: moves the log start offset to
     * the first segment kept, rolling first when every segment goes (the active one included, as Kafka does once it
     * is expired and wholly below the high watermark). Returns whether the log start offset moved.
     */
    public boolean applyRetention(long nowMs) throws IOException {
        appendLock.lock();
        try {
            log.ensureOpen();
            LogConfig config = log.config();
            long logEndOffset = log.logEndOffset();
            long target = RetentionRules.retentionTarget(
                    segments, config.cleanup(), nowMs, log.logStartOffset(), log.highWatermark(), logEndOffset);
            if (target < 0) {
                return false;
            }
            if (target == logEndOffset && segments.lastKey() < logEndOffset) {
                appender.roll(logEndOffset, config);
            }
            return log.setLogStartOffset(target);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Trims the leader epochs below the log start offset (the {@code leader-epoch-checkpoint} rewritten), then takes
     * the segments wholly below it (never the last one) out of the log and hands them to {@code deleter}, which
     * renames their files at once and removes them {@code file.delete.delay.ms} later. Call once the log start offset
     * is durable. Returns how many segments went.
     */
    public int deleteSegmentsBelowLogStart(SegmentDeleter deleter) throws IOException {
        appendLock.lock();
        try {
            log.ensureOpen();
            log.truncateEpochsFromStart();
            List<LogSegment> below = RetentionRules.belowLogStart(segments, log.logStartOffset());
            for (LogSegment segment : below) {
                segments.remove(segment.baseOffset(), segment);
            }
            deleter.deleteLater(below, log.config().cleanup().fileDeleteDelayMs());
            return below.size();
        } finally {
            appendLock.unlock();
        }
    }
}
