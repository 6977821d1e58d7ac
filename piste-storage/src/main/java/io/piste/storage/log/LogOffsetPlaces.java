package io.piste.storage.log;

import io.piste.storage.errors.OffsetOutOfRangeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The places in a log ({@link LogOffsetMetadata}) of its end, its recovery point and its high watermark, and the
 * lookup of any offset's place: what a delayed fetch needs to count the bytes below the high watermark without
 * reading them (Kafka keeps the same places in its {@code UnifiedLog}).
 *
 * <p>Threads: the log's writer publishes the end after each append or truncation (under the append lock), a flush the recovery
 * point (under the flush lock); the high watermark's owner (the partition) serialises its updates; every getter is
 * lock-free. Each place is one immutable value in a volatile field, so its offset and position are seen together.
 */
public final class LogOffsetPlaces {

    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final Path dir;
    private volatile LogOffsetMetadata logEnd;
    private volatile LogOffsetMetadata recoveryPoint;
    private volatile LogOffsetMetadata highWatermark;

    LogOffsetPlaces(
            ConcurrentSkipListMap<Long, LogSegment> segments, Path dir, LogSegment active, long logStartOffset) {
        this.segments = segments;
        this.dir = dir;
        this.logEnd = new LogOffsetMetadata(active.nextOffset(), active.baseOffset(), active.sizeInBytes());
        this.recoveryPoint = LogOffsetMetadata.messageOffsetOnly(logStartOffset);
        this.highWatermark = LogOffsetMetadata.messageOffsetOnly(logStartOffset);
    }

    /** After an append: the log ends at {@code nextOffset}, {@code sizeBytes} into {@code segment}. */
    void onAppended(long nextOffset, LogSegment segment, int sizeBytes) {
        logEnd = new LogOffsetMetadata(nextOffset, segment.baseOffset(), sizeBytes);
    }

    /**
     * After a truncation: the log ends at {@code end}, and the high watermark is at most there (the caller moves the
     * recovery point, {@link LogFlush#onTruncated}). A high watermark at or below the end keeps its place: it lies in
     * what was kept.
     */
    void onTruncated(LogOffsetMetadata end) {
        logEnd = end;
        if (highWatermark.messageOffset() >= end.messageOffset()) {
            highWatermark = end;
        }
    }

    /** After the log was emptied to start at {@code end}: the log end and the high watermark are there. */
    void onEmptied(LogOffsetMetadata end) {
        logEnd = end;
        highWatermark = end;
    }

    /** The recovery point moved to {@code flushed} (a place seen with {@link #logEnd}, or only an offset). */
    void onRecoveryPointMoved(LogOffsetMetadata flushed) {
        recoveryPoint = flushed;
    }

    /** The log end offset with its place, both seen at the same append. */
    public LogOffsetMetadata logEnd() {
        return logEnd;
    }

    /** The recovery point with its place, or only its offset when the place is unknown. */
    public LogOffsetMetadata recoveryPoint() {
        return recoveryPoint;
    }

    /** The high watermark with its place, or only its offset when the place is unknown. */
    public LogOffsetMetadata highWatermark() {
        return highWatermark;
    }

    /** Sets the high watermark to {@code offset} in [logStartOffset, log end], with its place if it is known here. */
    void updateHighWatermark(long offset, long logStartOffset) {
        LogOffsetMetadata end = logEnd;
        LogOffsetMetadata flushed = recoveryPoint;
        long bounded = Math.max(logStartOffset, Math.min(offset, end.messageOffset()));
        if (bounded == end.messageOffset()) {
            highWatermark = end;
        } else if (bounded == flushed.messageOffset()) {
            highWatermark = flushed;
        } else {
            highWatermark = LogOffsetMetadata.messageOffsetOnly(bounded);
        }
    }

    /** Sets the high watermark to a place seen earlier with {@link #logEnd} or {@link #recoveryPoint}. */
    void updateHighWatermark(LogOffsetMetadata place, long logStartOffset) {
        if (place.messageOffset() < logStartOffset || place.messageOffset() > logEnd.messageOffset()) {
            updateHighWatermark(place.messageOffset(), logStartOffset);
        } else {
            highWatermark = place;
        }
    }

    /**
     * The place of {@code offset}: the segment holding it and the position of the batch holding it (the log end's
     * place for the log end offset). Reads the offset index and batch headers, never records.
     *
     * @throws OffsetOutOfRangeException if offset is below the log start or above the log end
     */
    public LogOffsetMetadata place(long offset, long logStartOffset) throws IOException {
        LogOffsetMetadata end = logEnd;
        if (offset == end.messageOffset()) {
            return end;
        }
        if (offset < logStartOffset || offset > end.messageOffset()) {
            throw new OffsetOutOfRangeException("offset out of range: offset=" + offset + " logStartOffset="
                    + logStartOffset + " logEndOffset=" + end.messageOffset() + " dir=" + dir);
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        while (entry != null) {
            int position = entry.getValue().positionOf(offset);
            if (position >= 0) {
                return new LogOffsetMetadata(offset, entry.getKey(), position);
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return end;
    }
}
