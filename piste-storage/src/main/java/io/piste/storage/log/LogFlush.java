package io.piste.storage.log;

import io.piste.storage.errors.LogStorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The durability of one {@link UnifiedLog}: its flushes (fsyncs, or the two halves of a flush made durable by one
 * sync of the file system), the recovery point they move, and the log's health once an fsync failed. Everything
 * below the recovery point is fsynced, directory entries included.
 *
 * <p>Threads: every method may run concurrently with appends; they serialize on one flush lock, which a flush holds
 * while it fsyncs (never the append lock). A truncation ({@link #truncating}) runs under the append lock and then this
 * lock, so that no flush moves the recovery point past offsets that were cut meanwhile.
 */
final class LogFlush {
    /** Work done under the flush lock by a truncation. */
    @FunctionalInterface
    interface Truncation<T> {
        T run() throws IOException;
    }

    private final Path dir;
    private final FileChannelFactory files;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final LogOffsetPlaces places;
    private final LogHealth health;
    private final Object lock = new Object();

    private volatile long recoveryPoint;
    private volatile long flushCount;
    /** Truncations so far, and as seen by the last {@link #prepareFlush}; under the lock. */
    private long truncations;

    private long truncationsAtPrepare;

    LogFlush(
            Path dir,
            FileChannelFactory files,
            ConcurrentSkipListMap<Long, LogSegment> segments,
            LogOffsetPlaces places,
            LogHealth health) {
        this.dir = dir;
        this.files = files;
        this.segments = segments;
        this.places = places;
        this.health = health;
    }

    long recoveryPoint() {
        return recoveryPoint;
    }

    long flushCount() {
        return flushCount;
    }

    /** Sets the recovery point found at open ({@code place} may be only its offset). */
    void recoveredTo(LogOffsetMetadata place) {
        synchronized (lock) {
            recoveryPoint = place.messageOffset();
            places.onRecoveryPointMoved(place);
        }
    }

    /** See {@link UnifiedLog#flush()}. */
    void flush() throws IOException {
        synchronized (lock) {
            health.failIfOffline(dir, recoveryPoint);
            // The place, not the log end offset: it is written last, so its offset and position belong together.
            LogOffsetMetadata end = places.logEnd();
            long leo = end.messageOffset();
            long from = recoveryPoint;
            if (leo <= from) {
                return;
            }
            boolean newSegments = false;
            for (LogSegment segment : unflushed(from).values()) {
                if (segment.baseOffset() >= leo) {
                    break;
                }
                // At or past the recovery point: a segment whose base is the recovery point was created after
                // the last flush (rolled when the log was fully flushed, or the first segment of a new log).
                newSegments |= segment.baseOffset() >= from;
                try {
                    segment.flush();
                } catch (IOException e) {
                    if (segments.get(segment.baseOffset()) != segment) {
                        continue; // deleted by retention meanwhile (its channel closed): none of it is needed
                    }
                    throw health.fail("flush failed: file=" + segment.logFile(), e);
                }
            }
            if (newSegments) {
                // A segment created since the last flush is only durable once its directory entry is.
                try {
                    files.fsyncDirectory(dir);
                } catch (IOException e) {
                    throw health.fail("flush failed", e); // the cause names the directory
                }
            }
            // A roll on another thread may have failed its index fsync meanwhile: the recovery point never moves
            // once the log is offline.
            health.failIfOffline(dir, recoveryPoint);
            recoveryPoint = leo;
            places.onRecoveryPointMoved(end);
            flushCount++;
        }
    }

    /** See {@link UnifiedLog#prepareFlush()}. */
    LogOffsetMetadata prepareFlush() throws LogStorageException {
        synchronized (lock) {
            health.failIfOffline(dir, recoveryPoint);
            LogOffsetMetadata end = places.logEnd();
            long leo = end.messageOffset();
            long from = recoveryPoint;
            if (leo <= from) {
                return null;
            }
            truncationsAtPrepare = truncations;
            for (LogSegment segment : unflushed(from).values()) {
                if (segment.baseOffset() >= leo) {
                    break;
                }
                segment.writePendingIndexEntries();
            }
            return end;
        }
    }

    /**
     * See {@link UnifiedLog#completeFlush}. After a truncation since the last {@link #prepareFlush} the recovery point
     * stays: {@code end} may name offsets that were cut and written again after the file system sync.
     */
    void completeFlush(LogOffsetMetadata end) throws LogStorageException {
        synchronized (lock) {
            health.failIfOffline(dir, recoveryPoint);
            if (end.messageOffset() <= recoveryPoint || truncations != truncationsAtPrepare) {
                return;
            }
            recoveryPoint = end.messageOffset();
            places.onRecoveryPointMoved(end);
            flushCount++;
        }
    }

    /** Takes the log offline (keeping the first failure) and returns the error to throw. */
    LogStorageException fail(String what, IOException cause) {
        synchronized (lock) {
            return health.fail(what, cause);
        }
    }

    /**
     * Runs {@code truncation} under the flush lock: it cuts offsets a flush may be about to declare durable, and
     * moves the recovery point itself ({@link #onTruncated}, {@link #onEmptied}). Counted, for {@link #completeFlush}.
     */
    <T> T truncating(Truncation<T> truncation) throws IOException {
        synchronized (lock) {
            truncations++;
            return truncation.run();
        }
    }

    /** Under {@link #truncating}: the log now ends at {@code end}; the recovery point is at most there. */
    void onTruncated(LogOffsetMetadata end) {
        if (recoveryPoint > end.messageOffset()) {
            recoveryPoint = end.messageOffset();
            places.onRecoveryPointMoved(end);
        }
    }

    /** Under {@link #truncating}: the log was emptied and starts at {@code end}, which is fsynced (an empty log). */
    void onEmptied(LogOffsetMetadata end) {
        recoveryPoint = end.messageOffset();
        places.onRecoveryPointMoved(end);
    }

    private Map<Long, LogSegment> unflushed(long from) {
        Long firstKey = segments.floorKey(from);
        return firstKey == null ? segments : segments.tailMap(firstKey, true);
    }
}
