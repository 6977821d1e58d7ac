package io.piste.storage.log;

import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.errors.UnexpectedAppendOffsetException;
import io.piste.storage.producer.CompletedTxn;
import io.piste.storage.producer.ProducerStateManager;
import io.piste.storage.record.ControlBatches;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's side of replication for one {@link UnifiedLog}: appends of the leader's batches as the leader stored
 * them (offsets, leader epochs, timestamps, markers), the truncation of a log that diverged from its leader (Fetch
 * v12+ divergingEpoch), and the emptying of a log that fell below the leader's log start (OFFSET_OUT_OF_RANGE). The
 * producer state, the transaction indexes and the leader epochs follow the batches as a leader's append would leave
 * them, so that this log may become the leader's.
 *
 * <p>Durability: an append is as durable as a leader's (up to the next flush). A truncation is durable when it returns:
 * the cut files are cut and fsynced and deleted segments' directory entries fsynced, since recovery trusts the bytes
 * below the recovery point. The caller (the broker) must then write the log's recovery point and log start offset
 * checkpoints before the log takes further appends, as Kafka's LogManager does after a truncation. A failure part way
 * through a truncation, or of an fsync, takes the log offline as a failed {@link UnifiedLog#flush()} does.
 *
 * <p>Threads: each call takes the log's append lock, a truncation the flush lock too (no flush declares cut offsets
 * durable). Reads run lock-free: one racing a truncation may fail or come back short, acceptable on a follower
 * (clients do not read from it), and never sees a cut batch after the truncation returned.
 */
public final class LogReplica {
    private static final Logger LOG = LoggerFactory.getLogger(LogReplica.class);

    private final UnifiedLog log;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ReentrantLock appendLock;
    private final LogAppender appender;
    private final ProducerStateManager producerState;
    private final LeaderEpochCache epochCache;
    private final LogFlush durability;
    private final CompactionAccess compaction;
    private final LongSupplier clockMs;
    private final RecordBatchView view = new RecordBatchView();

    LogReplica(
            UnifiedLog log,
            ConcurrentSkipListMap<Long, LogSegment> segments,
            ReentrantLock appendLock,
            LogAppender appender,
            ProducerStateManager producerState,
            LeaderEpochCache epochCache,
            LogFlush durability,
            CompactionAccess compaction,
            LongSupplier clockMs) {
        this.log = log;
        this.segments = segments;
        this.appendLock = appendLock;
        this.appender = appender;
        this.producerState = producerState;
        this.epochCache = epochCache;
        this.durability = durability;
        this.compaction = compaction;
        this.clockMs = clockMs;
    }

    // ---------------------------------------------------------------- append

    /**
     * Appends the v2 batches of {@code records} (position to limit) as the leader stored them: bytes, offsets,
     * partition leader epochs, timestamps and control batches are kept; the buffer is not changed. The log end offset
     * becomes the last batch's last offset + 1; each batch's partition leader epoch is recorded from its base offset
     * on, and the producer state and transaction indexes are updated as the leader's were (no check that could refuse
     * what the leader accepted). All or nothing, but for batches more than {@link Integer#MAX_VALUE} offsets apart,
     * which go to different segments: a write failing after the first of those leaves the earlier ones appended.
     * An empty buffer appends nothing and returns {@link LogAppendInfo#nothingAppended}.
     *
     * @throws InvalidBatchException if a batch is malformed or its CRC wrong (nothing is written)
     * @throws UnexpectedAppendOffsetException if the first batch starts below the log end offset or a batch does not
     *     start after the one before it (nothing is written)
     * @throws LogStorageException if the write failed, or the log is closed or offline
     */
    public LogAppendInfo appendAsFollower(ByteBuffer records) throws IOException {
        appendLock.lock();
        try {
            log.ensureOpen();
            int start = records.position();
            int end = records.limit();
            if (start >= end) {
                return LogAppendInfo.nothingAppended(log.logEndOffset(), log.logStartOffset());
            }
            int recordCount = AppendValidation.validateReplicated(view, records, start, end, log.logEndOffset());
            long firstOffset = view.wrap(records, start).baseOffset();
            LogConfig cfg = log.config();
            long now = clockMs.getAsLong();
            long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
            long lastOffset = firstOffset;
            for (int from = start; from < end; ) {
                int to = endOfGroup(records, from, end);
                lastOffset = lastOffsetBefore(records, from, to);
                appender.appendVerbatim(records, from, to, log.logEndOffset(), lastOffset, cfg, now);
                log.publishEnd(lastOffset + 1);
                maxTimestamp = Math.max(maxTimestamp, applyWritten(records, from, to));
                from = to;
            }
            return new LogAppendInfo(
                    firstOffset, lastOffset, maxTimestamp, -1, log.logStartOffset(), recordCount, false);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Where the batches from {@code from} stop fitting one segment's relative offsets: past the first batch whose last
     * offset is more than {@link Integer#MAX_VALUE} after the base of the batch at {@code from} (one batch always fits).
     */
    private int endOfGroup(ByteBuffer records, int from, int end) {
        long base = view.wrap(records, from).baseOffset();
        int pos = from + view.sizeInBytes();
        while (pos < end && view.wrap(records, pos).lastOffset() - base <= Integer.MAX_VALUE) {
            pos += view.sizeInBytes();
        }
        return pos;
    }

    private long lastOffsetBefore(ByteBuffer records, int from, int to) {
        long last = -1;
        for (int pos = from; pos < to; pos += view.sizeInBytes()) {
            last = view.wrap(records, pos).lastOffset();
        }
        return last;
    }

    /**
     * After batches [from, to) were written: their leader epochs, producer state and aborted transactions (indexed in
     * the active segment, where their markers went). Returns their largest maxTimestamp.
     */
    private long applyWritten(ByteBuffer records, int from, int to) {
        long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
        for (int pos = from; pos < to; pos += view.sizeInBytes()) {
            view.wrap(records, pos);
            maxTimestamp = Math.max(maxTimestamp, view.maxTimestamp());
            epochCache.maybeAssign(view.partitionLeaderEpoch(), view.baseOffset());
            long marker = view.isControl()
                    ? ControlBatches.parseMarker(records, pos + RecordBatchView.HEADER_SIZE, pos + view.sizeInBytes())
                    : ControlBatches.NOT_A_MARKER;
            CompletedTxn completed = ProducerStateReplay.apply(producerState, view, marker);
            if (completed != null && completed.aborted()) {
                appender.indexAbort(completed);
            }
        }
        return maxTimestamp;
    }

    // ---------------------------------------------------------------- truncation

    /**
     * Cuts the log so that it ends at {@code offset}, durably, and returns the new log end offset: {@code offset}
     * when it is a batch boundary (as the leader's divergence offsets are), else the base offset of the batch holding
     * it (or, after a gap in the offsets, the end of the last batch kept). Nothing happens if {@code offset} is at or
     * past the log end. Below the log start offset, or the first segment, the log is emptied to start at
     * {@code offset} ({@link #truncateFullyAndStartAt}). Segments from the cut on are deleted, the one holding the cut
     * is cut and becomes the active segment; leader epochs from the new end on are dropped, the producer state is
     * rebuilt for the new end (from the newest snapshot at or below it), the recovery point and high watermark are
     * at most the new end.
     *
     * @throws LogStorageException if a file could not be cut, deleted or fsynced (the log is then offline), or the
     *     log is closed or offline
     */
    public long truncateTo(long offset) throws IOException {
        appendLock.lock();
        try {
            log.ensureOpen();
            long logEndOffset = log.logEndOffset();
            if (offset >= logEndOffset) {
                return logEndOffset;
            }
            if (offset < log.logStartOffset() || offset < segments.firstKey()) {
                durability.truncating(() -> emptyAndStartAt(offset));
                return offset;
            }
            return durability.truncating(() -> cut(offset));
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Deletes every segment and starts an empty log at {@code offset}: its log start offset, log end offset, recovery
     * point and high watermark (Kafka's answer to a follower whose fetch offset is below its leader's log start).
     * The leader epochs and the producer state are cleared, the producer snapshots deleted. Durable when it returns.
     *
     * @throws LogStorageException as {@link #truncateTo}
     */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset: offset=" + offset + " dir=" + log.dir());
        }
        appendLock.lock();
        try {
            log.ensureOpen();
            durability.truncating(() -> emptyAndStartAt(offset));
        } finally {
            appendLock.unlock();
        }
    }

    /** Under both locks: the cut of {@link #truncateTo}, at or above the first segment's base and the log start. */
    private long cut(long offset) throws IOException {
        log.lowerEnd(offset);
        LogSegment holder = segments.floorEntry(offset).getValue();
        long newEnd;
        try {
            boolean deleted = compaction.onTruncated();
            List<LogSegment> above =
                    new ArrayList<>(segments.tailMap(offset, false).values());
            // Highest first: a crash part way leaves a shorter log, never one with a hole.
            for (int i = above.size() - 1; i >= 0; i--) {
                LogSegment s = above.get(i);
                segments.remove(s.baseOffset(), s);
                s.deleteFiles();
                deleted = true;
            }
            if (deleted) {
                log.fsyncDirectory();
            }
            newEnd = SegmentTruncation.truncateTo(holder, offset, log.config().indexIntervalBytes());
        } catch (IOException e) {
            throw durability.fail("truncation failed: dir=" + log.dir() + " offset=" + offset, e);
        }
        if (newEnd < log.logStartOffset()) {
            // The batch holding offset began below the log start: nothing of the log is left to keep.
            return emptyAndStartAt(offset);
        }
        appender.resetActiveSegment();
        rebuildProducerState(newEnd);
        epochCache.truncateFromEnd(newEnd);
        durability.onTruncated(log.onTruncated(newEnd));
        LOG.info(
                "Truncated log: dir={} offset={} logEndOffset={} segmentsLeft={}",
                log.dir(),
                offset,
                newEnd,
                segments.size());
        return newEnd;
    }

    /** The producer state as it was at {@code newEnd}: snapshots above deleted durably, then a replay. */
    private void rebuildProducerState(long newEnd) throws LogStorageException {
        try {
            producerState.deleteSnapshotsAbove(newEnd);
            ProducerStateReplay.rebuild(
                    log.dir(),
                    segments.values(),
                    producerState,
                    log.logStartOffset(),
                    newEnd,
                    newEnd,
                    ProducerStateReplay.AbortListener.NONE); // the kept transaction index entries stay right
        } catch (IOException e) {
            throw durability.fail("could not rebuild the producer state of a truncated log: dir=" + log.dir(), e);
        }
    }

    /** Under both locks: empties the log to start at {@code offset}; returns it. */
    private long emptyAndStartAt(long offset) throws IOException {
        log.lowerEnd(offset);
        try {
            compaction.onTruncated();
            LogSegment kept = segments.get(offset);
            List<LogSegment> old = new ArrayList<>(segments.values());
            old.remove(kept);
            // Highest first, the lowest last, once the new segment is in: the map is never empty for readers.
            for (int i = old.size() - 1; i >= 1; i--) {
                deleteSegment(old.get(i));
            }
            if (kept == null) {
                kept = LogSegment.open(log.dir(), offset, log.config().maxIndexSizeBytes(), log.files());
                segments.put(offset, kept);
            } else {
                kept.truncateFully();
                kept.channel().force(true);
                kept.flushIndexes();
            }
            if (!old.isEmpty()) {
                deleteSegment(old.get(0));
            }
            producerState.clear();
            producerState.deleteSnapshotsAbove(-1);
            log.fsyncDirectory();
        } catch (IOException e) {
            throw durability.fail("truncation failed: dir=" + log.dir() + " startOffset=" + offset, e);
        }
        appender.resetActiveSegment();
        epochCache.clear();
        durability.onEmptied(log.onEmptied(offset));
        return offset;
    }

    private void deleteSegment(LogSegment segment) throws IOException {
        segments.remove(segment.baseOffset(), segment);
        segment.deleteFiles();
    }
}
