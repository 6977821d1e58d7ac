package io.piste.storage.log;

import io.piste.storage.checkpoint.EpochEntry;
import io.piste.storage.errors.BatchTooLargeException;
import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.InvalidRecordException;
import io.piste.storage.errors.InvalidTimestampException;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.errors.OffsetOutOfRangeException;
import io.piste.storage.errors.OutOfOrderSequenceException;
import io.piste.storage.errors.ProducerIdLimitExceededException;
import io.piste.storage.producer.ProducerStateManager;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: segments on disk plus producer state, leader epochs and the high watermark.
 *
 * <p>Guarantees: an append is all-or-nothing (a failed write leaves files and state as they were, and the next
 * append may succeed once the disk has room); batches are stored verbatim apart from baseOffset,
 * partitionLeaderEpoch and, for LogAppendTime, the timestamp type bit, maxTimestamp and CRC; everything below
 * {@link #recoveryPoint()} is fsynced, directory entries included; reads return whole batches only. After a failed
 * fsync the log is offline until reopened: the recovery point never moves again, appends, flushes and close
 * fail, so the next open, unclean, scans it from its last good recovery point. A follower appends its leader's
 * batches unchanged and truncates where it diverged ({@link #replica()}); flushes and the recovery point are
 * {@link LogFlush}'s.
 *
 * <p>Threads: appends (and close) are serialized by a lock, under which {@link LogAppender} does an append's
 * work; {@link #read}, the timestamp lookups and the offset getters run lock-free, concurrently with appends;
 * {@link #flush()} may run on another thread concurrently with appends and never holds the append lock while it
 * fsyncs. {@link #open} loads the segments and the producer state ({@link LogLoader}) before anyone sees the log.
 */
public final class UnifiedLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(UnifiedLog.class);

    private final Path dir;
    private final LongSupplier clockMs;
    private final FileChannelFactory files;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producerState;
    private final LeaderEpochCache epochCache;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final LogAppender appender;
    private final LogRetention retention;
    private final long recoveredBatchCount;
    private final CompactionAccess compaction;
    private final LogTransactions transactions;

    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private final LogOffsetPlaces places;
    /** Offline after a failed fsync, see {@link #flush()}. */
    private final LogHealth health = new LogHealth();
    /** Flushes and the recovery point. */
    private final LogFlush durability;

    private final LogReplica replica;

    private boolean closed;

    private UnifiedLog(
            Path dir,
            LogConfig config,
            LongSupplier clockMs,
            FileChannelFactory files,
            LogLoader loader,
            ProducerStateManager producerState,
            LeaderEpochCache epochCache,
            long checkpointedLogStartOffset) {
        this.dir = dir;
        this.config = config;
        this.clockMs = clockMs;
        this.files = files;
        this.segments = loader.segments();
        this.producerState = producerState;
        this.epochCache = epochCache;
        this.recoveredBatchCount = loader.batchesValidated();
        this.appender = new LogAppender(dir, files, segments, producerState, health::fail);
        LogSegment active = segments.lastEntry().getValue();
        this.logEndOffset = active.nextOffset();
        // Trust nothing from disk: within the segments found, never past the log end.
        this.logStartOffset = Math.max(segments.firstKey(), Math.min(checkpointedLogStartOffset, logEndOffset));
        this.places = new LogOffsetPlaces(segments, dir, active, logStartOffset);
        this.durability = new LogFlush(dir, files, segments, places, health);
        this.retention = new LogRetention(this, segments, appendLock, appender);
        this.compaction = new CompactionAccess(this, files, segments, appendLock, () -> closed, this::swapFailed);
        this.transactions = new LogTransactions(this, segments, appendLock, appender, producerState, clockMs);
        this.replica = new LogReplica(
                this, segments, appendLock, appender, producerState, epochCache, durability, compaction, clockMs);
    }

    /**
     * Opens the log in {@code dir} (created if missing). With {@code hadCleanShutdown} nothing is scanned;
     * otherwise batches from the index entry at or below {@code recoveryPoint} (0 = unknown: from the start) to
     * the end are validated and the log is truncated at the first bad one. Succeeds on a full disk.
     */
    public static UnifiedLog open(
            Path dir, LogConfig config, LongSupplier clockMs, boolean hadCleanShutdown, long recoveryPoint)
            throws IOException {
        return open(dir, config, clockMs, hadCleanShutdown, recoveryPoint, FileChannelFactory.DEFAULT);
    }

    /** As the overload above, with the log's files opened and its directory synced through {@code files}. */
    public static UnifiedLog open(
            Path dir,
            LogConfig config,
            LongSupplier clockMs,
            boolean hadCleanShutdown,
            long recoveryPoint,
            FileChannelFactory files)
            throws IOException {
        return open(dir, config, clockMs, hadCleanShutdown, recoveryPoint, 0, files);
    }

    /** As above, from the checkpointed log start offset (0: unknown), kept within the segments found. */
    public static UnifiedLog open(
            Path dir,
            LogConfig config,
            LongSupplier clockMs,
            boolean hadCleanShutdown,
            long recoveryPoint,
            long logStartOffset,
            FileChannelFactory files)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            // the new partition directory must survive a power loss as much as the data written into it
            if (dir.getParent() != null) {
                files.fsyncDirectory(dir.getParent());
            }
        }
        LogLoader loader = new LogLoader(dir, config, files);
        loader.load(hadCleanShutdown, recoveryPoint, logStartOffset);
        ProducerStateManager producerState = new ProducerStateManager(dir);
        LeaderEpochCache epochCache = LeaderEpochCache.load(dir);
        UnifiedLog log = new UnifiedLog(dir, config, clockMs, files, loader, producerState, epochCache, logStartOffset);
        try {
            long leo = log.logEndOffset;
            epochCache.truncateFromEnd(leo);
            // the log start offset at an open is durable (the checkpoint's, or the first segment's base)
            epochCache.truncateFromStart(log.logStartOffset);
            long replayFrom = Math.min(loader.recoveryStartOffset(), leo);
            loader.rebuildProducerState(producerState, log.logStartOffset, leo, replayFrom);
            if (hadCleanShutdown) {
                log.durability.recoveredTo(log.places.logEnd());
            } else {
                long scannedFrom = Math.max(log.logStartOffset, Math.min(recoveryPoint, leo));
                log.durability.recoveredTo(LogOffsetMetadata.messageOffsetOnly(scannedFrom));
                try {
                    loader.flushScanned();
                    log.durability.recoveredTo(log.places.logEnd());
                } catch (IOException e) { // as a failed flush: see flush()
                    log.health.fail("could not fsync what recovery scanned", e);
                    LOG.error(
                            "Could not fsync what recovery scanned; the log is offline until it is opened again: "
                                    + "dir={} recoveryPoint={} reason={}",
                            dir,
                            log.recoveryPoint(),
                            e.getMessage());
                }
            }
            loader.dropInactiveIndexesFromHeap();
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : log.segments.values()) {
                s.closeQuietly();
            }
            throw e;
        }
        return log;
    }

    // ---------------------------------------------------------------- append

    /**
     * Validates, assigns offsets to and appends the v2 batches in {@code records} (position to limit), all or
     * nothing. The buffer's bytes are rewritten in place (offsets, leader epoch, LogAppendTime); its position and
     * limit are left alone.
     *
     * @throws InvalidBatchException if a batch is malformed (nothing is written)
     * @throws BatchTooLargeException if a batch exceeds {@code maxMessageBytes}
     * @throws InvalidTimestampException if a CreateTime batch's maxTimestamp is out of the allowed range
     * @throws InvalidRecordException if a duplicate idempotent batch comes with other batches
     * @throws OutOfOrderSequenceException if an idempotent batch's sequence does not follow the last one
     * @throws InvalidProducerEpochException if an idempotent batch carries a stale producer epoch
     * @throws ProducerIdLimitExceededException if a batch's producer id would be one more than the log tracks
     * @throws LogStorageException if the write failed; nothing was appended ({@code isDiskFull()} tells ENOSPC)
     */
    public LogAppendInfo appendAsLeader(ByteBuffer records, int leaderEpoch) throws IOException {
        appendLock.lock();
        try {
            ensureOpen();
            LogAppendInfo info =
                    appender.append(records, leaderEpoch, logStartOffset, logEndOffset, config, clockMs.getAsLong());
            onAppended(info, leaderEpoch);
            return info;
        } finally {
            appendLock.unlock();
        }
    }

    /** Publishes an append's new log end (nothing for a duplicate); under the append lock. */
    void onAppended(LogAppendInfo info, int leaderEpoch) {
        if (!info.duplicate()) {
            publishEnd(info.lastOffset() + 1);
            epochCache.maybeAssign(leaderEpoch, info.firstOffset());
        }
    }

    /** Publishes the new log end, the end of the active segment, after a write to it; under the append lock. */
    void publishEnd(long newLogEndOffset) {
        logEndOffset = newLogEndOffset;
        LogSegment active = appender.activeSegment();
        places.onAppended(newLogEndOffset, active, active.sizeInBytes());
    }

    /** The first step of a truncation ({@link LogReplica}), under the append lock: reads stop at {@code offset}. */
    void lowerEnd(long offset) {
        if (offset < logEndOffset) {
            logEndOffset = offset;
        }
    }

    /**
     * A truncation ({@link LogReplica}) left the log ending at {@code newEnd}, the end of the active segment: the log
     * end and the high watermark (at most there) move; returns the new end's place. Under the append lock.
     */
    LogOffsetMetadata onTruncated(long newEnd) {
        logEndOffset = newEnd;
        LogSegment active = appender.activeSegment();
        LogOffsetMetadata end = new LogOffsetMetadata(newEnd, active.baseOffset(), active.sizeInBytes());
        places.onTruncated(end);
        producerState.onHighWatermarkUpdated(highWatermark());
        return end;
    }

    /**
     * The log was emptied ({@link LogReplica#truncateFullyAndStartAt}): it starts and ends at {@code offset}, and so
     * does the high watermark; returns the end's place. Under the append lock.
     */
    LogOffsetMetadata onEmptied(long offset) {
        logStartOffset = offset;
        logEndOffset = offset;
        LogOffsetMetadata end = new LogOffsetMetadata(offset, offset, 0);
        places.onEmptied(end);
        producerState.onHighWatermarkUpdated(offset);
        LOG.info("Log emptied: dir={} logStartOffset={}", dir, offset);
        return end;
    }

    // ---------------------------------------------------------------- read

    /**
     * Whole batches of one segment, starting with the batch holding {@code startOffset}, limited to batches with
     * baseOffset below {@code maxOffsetExclusive} and to {@code maxBytes} (unless {@code minOneMessage} and the
     * first batch alone is larger: then exactly that batch).
     *
     * @throws OffsetOutOfRangeException if startOffset is below the log start or above the log end
     */
    public FetchDataInfo read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage)
            throws IOException {
        long leo = logEndOffset;
        long lso = logStartOffset;
        if (startOffset < lso || startOffset > leo) {
            throw new OffsetOutOfRangeException("offset out of range: offset=" + startOffset + " logStartOffset=" + lso
                    + " logEndOffset=" + leo + " dir=" + dir);
        }
        if (startOffset == leo) {
            return FetchDataInfo.empty(startOffset);
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(startOffset);
        while (entry != null) {
            FetchDataInfo info;
            try {
                info = entry.getValue().read(startOffset, maxBytes, maxOffsetExclusive, minOneMessage);
            } catch (IOException e) {
                if (logStartOffset <= startOffset) {
                    throw e;
                } // else a segment deleted under the read (its channel closed after file.delete.delay.ms):
                throw new OffsetOutOfRangeException(
                        "offset below the log start: offset=" + startOffset + " dir=" + dir);
            }
            if (info != null) {
                return info;
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return FetchDataInfo.empty(startOffset);
    }

    /** The first batch (by offset) whose maxTimestamp is at least {@code targetTimestampMs}, or null. */
    public BatchLocation findBatchByTimestamp(long targetTimestampMs) throws IOException {
        return TimestampLookup.findBatchByTimestamp(segments.values(), targetTimestampMs);
    }

    /** The first batch holding the largest maxTimestamp of the log, or null if the log is empty. */
    public BatchLocation batchWithMaxTimestamp() throws IOException {
        return TimestampLookup.batchWithMaxTimestamp(segments.values());
    }

    // ---------------------------------------------------------------- flush and lifecycle

    /**
     * Fsyncs everything appended so far (segments rolled since the last flush included, with their indexes and
     * directory entries), then advances the recovery point to the log end offset seen at the start. A failed
     * fsync takes the log offline for good (a {@link LogStorageException} now and from every later flush, append
     * and close; the recovery point stays): Linux marks the pages whose write-back failed as clean, so a later
     * fsync would succeed without the data being on disk, and only a recovery scan at the next open can tell.
     */
    public void flush() throws IOException {
        durability.flush();
    }

    /**
     * The first half of a flush made durable by one sync of the log dir's file system ({@link FileSystemSync}) rather
     * than by fsyncs of this log's files: writes the pending index entries of the segments past the recovery point
     * and returns the log end to make durable, or null when everything is flushed already. Nothing is fsynced. The
     * caller syncs the file system (which covers the segments' data and the directory entries of new segments,
     * since all were written before the log end was captured), then calls {@link #completeFlush}, or
     * {@link #markOffline} if the sync failed.
     */
    public LogOffsetMetadata prepareFlush() throws LogStorageException {
        return durability.prepareFlush();
    }

    /**
     * The second half of a flush begun by {@link #prepareFlush}, once the file system sync that followed it
     * succeeded: advances the recovery point to {@code end} (never backwards: a {@link #flush()} in between may
     * have gone further; nor after a truncation since the prepare). Throws if the log went offline meanwhile (a
     * roll's failed index fsync).
     */
    public void completeFlush(LogOffsetMetadata end) throws LogStorageException {
        durability.completeFlush(end);
    }

    /**
     * Takes the log offline as a failed fsync of its own would: a sync of its log dir's file system failed, so
     * what was written since its recovery point may not be on disk. Keeps the first failure.
     */
    public void markOffline(IOException cause) {
        durability.fail("file system sync failed: dir=" + dir, cause);
    }

    /** A segment swap failed part way (see {@link CompactionAccess#replace}): offline as after a failed fsync. */
    private void swapFailed(IOException cause) {
        durability.fail("segment swap failed: dir=" + dir, cause);
    }

    /** True once an fsync of this log failed (see {@link #flush()}). */
    public boolean isOffline() {
        return health.isOffline();
    }

    /**
     * Flushes, writes a producer snapshot at the log end offset and complete index files, and closes the files.
     * Snapshot and index write failures are logged and tolerated. An offline log (a failed fsync) writes nothing
     * more: its files are closed and the failure thrown, so that the caller records no clean shutdown.
     */
    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                flush();
            } catch (IOException e) {
                for (LogSegment segment : segments.values()) {
                    try {
                        segment.closeQuietly();
                    } catch (IOException closeFailure) {
                        e.addSuppressed(closeFailure);
                    }
                }
                throw e;
            }
            try {
                producerState.takeSnapshot(logEndOffset, true);
            } catch (IOException e) {
                LOG.warn(
                        "Could not write producer snapshot at close: dir={} offset={} reason={}",
                        dir,
                        logEndOffset,
                        e.getMessage());
            }
            for (LogSegment segment : segments.values()) {
                try {
                    segment.close();
                } catch (IOException e) {
                    LOG.warn("Could not close segment: file={} reason={}", segment.logFile(), e.getMessage());
                }
            }
        } finally {
            appendLock.unlock();
        }
    }

    /** Closes the log and deletes its directory. */
    public void closeAndDelete() throws IOException {
        try {
            close();
        } finally {
            LogFiles.deleteRecursively(dir);
        }
    }

    void ensureOpen() throws LogStorageException {
        if (closed) {
            throw new LogStorageException("log is closed: dir=" + dir, null);
        }
        health.failIfOffline(dir, recoveryPoint());
    }

    // ---------------------------------------------------------------- state

    public long logStartOffset() {
        return logStartOffset;
    }

    /** Moves the log start offset up (never down), under the append lock; see {@link #retention()}. */
    boolean setLogStartOffset(long offset) {
        if (offset <= logStartOffset) {
            return false;
        }
        logStartOffset = offset;
        LOG.info("Log start offset moved: dir={} logStartOffset={}", dir, offset);
        return true;
    }

    /** Trims the leader epochs below the log start offset, once that offset is durable ({@link LogRetention}). */
    void truncateEpochsFromStart() {
        epochCache.truncateFromStart(logStartOffset);
    }

    /** Retention and DeleteRecords: what moves the log start offset and deletes the segments below it. */
    public LogRetention retention() {
        return retention;
    }

    /** The next offset to assign. */
    public long logEndOffset() {
        return logEndOffset;
    }

    /** Offset below which all data is fsynced. */
    public long recoveryPoint() {
        return durability.recoveryPoint();
    }

    /** How many offsets are written but not yet fsynced (past the recovery point). */
    public long unflushedMessages() {
        return logEndOffset - recoveryPoint();
    }

    public long highWatermark() {
        return places.highWatermark().messageOffset();
    }

    /** The places of the log end, recovery point and high watermark, and of any offset. */
    public LogOffsetPlaces places() {
        return places;
    }

    /** Flushes that fsynced new data since the log was opened (a flush with nothing new is not counted). */
    public long flushCount() {
        return durability.flushCount();
    }

    /** Sets the high watermark (in memory only), clamped to [logStartOffset, logEndOffset]. */
    public void updateHighWatermark(long offset) {
        places.updateHighWatermark(offset, logStartOffset);
        producerState.onHighWatermarkUpdated(highWatermark());
    }

    /** As {@link #updateHighWatermark(long)}, to a place seen earlier in {@link #places()}, keeping the place. */
    public void updateHighWatermark(LogOffsetMetadata place) {
        places.updateHighWatermark(place, logStartOffset);
        producerState.onHighWatermarkUpdated(highWatermark());
    }

    /** Latest leader epoch appended, or -1 if none. */
    public int latestEpoch() {
        return epochCache.latestEpoch();
    }

    /** Recorded leader epochs and their start offsets, oldest first. */
    public List<EpochEntry> epochEntries() {
        return epochCache.entries();
    }

    /** OffsetsForLeaderEpoch: start offset of the next epoch, the log end offset for the latest, -1 if unknown. */
    public long endOffsetForEpoch(int epoch) {
        return epochCache.endOffsetFor(epoch, logEndOffset);
    }

    public Path dir() {
        return dir;
    }

    /** How this log opens its files and syncs its directory. */
    FileChannelFactory files() {
        return files;
    }

    /** Fsyncs the log's directory (its entries for segments created or deleted). */
    void fsyncDirectory() throws IOException {
        files.fsyncDirectory(dir);
    }

    public LogConfig config() {
        return config;
    }

    /** New settings apply from the next append (e.g. segment size and roll time to the active segment). */
    public void updateConfig(LogConfig newConfig) {
        config = newConfig;
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment segment : segments.values()) {
            total += segment.sizeInBytes();
        }
        return total;
    }

    public int numberOfSegments() {
        return segments.size();
    }

    /** Forgets idempotent producers silent for longer than {@code expirationMs}; returns how many. */
    public int removeExpiredProducers(long expirationMs) {
        appendLock.lock();
        try {
            return producerState.removeExpired(clockMs.getAsLong(), expirationMs);
        } finally {
            appendLock.unlock();
        }
    }

    /** The follower's side of replication: verbatim appends of the leader's batches, truncations. */
    public LogReplica replica() {
        return replica;
    }

    /** Transactions' side of the log: markers, the last stable offset, aborted transactions. */
    public LogTransactions transactions() {
        return transactions;
    }

    /** What the log cleaner may see and do of this log. */
    public CompactionAccess compaction() {
        return compaction;
    }

    public ProducerStateManager producerState() {
        return producerState;
    }

    /** The segments, for tests that look at them one by one. */
    ConcurrentSkipListMap<Long, LogSegment> segmentsForTest() {
        return segments;
    }

    /** Batches validated by recovery when this log was opened (tests check it to prove the recovery point). */
    long recoveredBatchCount() {
        return recoveredBatchCount;
    }

    @Override
    public String toString() {
        return "UnifiedLog(dir=" + dir + ", logStartOffset=" + logStartOffset + ", logEndOffset=" + logEndOffset + ")";
    }
}
