package io.piste.storage.log;

import io.piste.storage.errors.InvalidRecordException;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.index.AbortedTxn;
import io.piste.storage.producer.BatchMetadata;
import io.piste.storage.producer.CompletedTxn;
import io.piste.storage.producer.ProducerStateManager;
import io.piste.storage.record.ControlBatches;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one {@link UnifiedLog#appendAsLeader}: checks the batches ({@link AppendValidation}), stages their
 * producer state (idempotence), assigns their offsets, rolls to a new segment when the active one is full or old,
 * writes them at the end of the active segment with their index entries and publishes them, all or nothing. It
 * owns the active segment; the log owns the offsets, and moves its log end offset from the returned
 * {@link LogAppendInfo}. A follower's batches, whose offsets are the leader's, share the roll, write and index code
 * ({@link #appendVerbatim}).
 *
 * <p>Threads: only under the log's append lock. A roll adds the new segment to the log's concurrent segment map,
 * which readers walk without locks.
 */
final class LogAppender {
    private static final Logger LOG = LoggerFactory.getLogger(LogAppender.class);

    /** Takes the log offline after a failed fsync (see {@link UnifiedLog#flush()}); returns the error to throw. */
    @FunctionalInterface
    interface FsyncFailureHandler {
        LogStorageException fsyncFailed(String what, IOException cause);
    }

    private final Path dir;
    private final FileChannelFactory files;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producerState;
    private final FsyncFailureHandler fsyncFailureHandler;
    private final RecordBatchView view = new RecordBatchView();
    private LogSegment activeSegment;

    LogAppender(
            Path dir,
            FileChannelFactory files,
            ConcurrentSkipListMap<Long, LogSegment> segments,
            ProducerStateManager producerState,
            FsyncFailureHandler fsyncFailureHandler) {
        this.dir = dir;
        this.files = files;
        this.segments = segments;
        this.producerState = producerState;
        this.fsyncFailureHandler = fsyncFailureHandler;
        this.activeSegment = segments.lastEntry().getValue();
    }

    /** The segment appends go to; under the append lock. */
    LogSegment activeSegment() {
        return activeSegment;
    }

    /** The last segment of the log becomes the active one again (after a truncation); under the append lock. */
    void resetActiveSegment() {
        activeSegment = segments.lastEntry().getValue();
    }

    /**
     * Appends the batches of {@code records} (position to limit) at {@code logEndOffset}, as
     * {@link UnifiedLog#appendAsLeader} describes; {@code logStartOffset} is only reported in the result.
     */
    LogAppendInfo append(
            ByteBuffer records, int leaderEpoch, long logStartOffset, long logEndOffset, LogConfig cfg, long now)
            throws IOException {
        return append(records, leaderEpoch, logStartOffset, logEndOffset, cfg, now, AppendOrigin.CLIENT);
    }

    /** {@link #append} with the producer-state checks of {@code origin}. */
    LogAppendInfo append(
            ByteBuffer records,
            int leaderEpoch,
            long logStartOffset,
            long logEndOffset,
            LogConfig cfg,
            long now,
            AppendOrigin origin)
            throws IOException {
        int start = records.position();
        int end = records.limit();
        int recordCount = AppendValidation.validateBatches(view, records, start, end, cfg, now);
        BatchMetadata duplicate = stageProducerState(records, start, end, logEndOffset, cfg, now, origin);
        if (duplicate != null) {
            return new LogAppendInfo(
                    duplicate.firstOffset(),
                    duplicate.lastOffset(),
                    duplicate.maxTimestamp(),
                    -1,
                    logStartOffset,
                    recordCount,
                    true);
        }
        try {
            return write(records, start, end, logEndOffset, leaderEpoch, cfg, now, recordCount, logStartOffset);
        } finally {
            producerState.abortStaged();
        }
    }

    /**
     * Idempotence checks for every batch, staged; returns the original batch if the append is one batch and a
     * duplicate. A duplicate among several batches is refused ({@link InvalidRecordException}).
     */
    private BatchMetadata stageProducerState(
            ByteBuffer records, int start, int end, long firstOffset, LogConfig cfg, long now, AppendOrigin origin) {
        // As Kafka: the sequence of a coordinator's batch is not checked (it is 0 in every batch), only its epoch.
        boolean checkSequence = origin == AppendOrigin.CLIENT;
        long next = firstOffset;
        try {
            for (int pos = start; pos < end; pos += view.sizeInBytes()) {
                view.wrap(records, pos);
                if (view.isControl()) {
                    // As Kafka: markers come from the transaction coordinator's path (appendMarker), never a client.
                    throw new InvalidRecordException("clients may not write control batches: producerId="
                            + view.producerId() + " sizeInBytes=" + view.sizeInBytes());
                }
                long last = next + view.lastOffsetDelta();
                long maxTimestamp = cfg.logAppendTime() ? now : view.maxTimestamp();
                BatchMetadata duplicate = producerState.checkAndStage(
                        view.producerId(),
                        view.producerEpoch(),
                        checkSequence ? view.baseSequence() : RecordBatchView.NO_SEQUENCE,
                        checkSequence ? view.lastSequence() : RecordBatchView.NO_SEQUENCE,
                        next,
                        last,
                        maxTimestamp,
                        view.isTransactional());
                if (duplicate != null) {
                    producerState.abortStaged();
                    if (end - start != view.sizeInBytes()) {
                        // One answer cannot say "this batch is a duplicate, that one was appended": Kafka takes
                        // one batch per partition from a client (Produce v3+), so refuse the set whole.
                        throw new InvalidRecordException("a duplicate batch came with other batches: producerId="
                                + view.producerId() + " firstSequence=" + view.baseSequence() + " sizeInBytes="
                                + (end - start));
                    }
                    return duplicate;
                }
                next = last + 1;
            }
            return null;
        } catch (RuntimeException e) {
            producerState.abortStaged();
            throw e;
        }
    }

    /**
     * Appends a COMMIT or ABORT marker for the producer at {@code logEndOffset}, after the producer-state checks of
     * a marker ({@link io.piste.storage.producer.ProducerStateManager#checkAndStageMarker}); all or nothing.
     */
    LogAppendInfo appendMarker(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion,
            int leaderEpoch,
            long logStartOffset,
            long logEndOffset,
            LogConfig cfg,
            long now)
            throws IOException {
        ByteBuffer marker = ControlBatches.marker(producerId, producerEpoch, coordinatorEpoch, commit, now);
        try {
            CompletedTxn completed = producerState.checkAndStageMarker(
                    producerId, producerEpoch, coordinatorEpoch, logEndOffset, commit, transactionVersion, now);
            LogAppendInfo info =
                    write(marker, 0, marker.limit(), logEndOffset, leaderEpoch, cfg, now, 1, logStartOffset);
            if (completed != null && completed.aborted()) {
                indexAbort(completed);
            }
            return info;
        } finally {
            producerState.abortStaged();
        }
    }

    /**
     * Adds an aborted transaction to the transaction index of the segment its marker went to. The marker is written
     * already: if the index cannot be, the log goes offline (as after a failed fsync) rather than let a read_committed
     * consumer take the aborted records for committed ones; the next open recovers the segment and its index.
     */
    void indexAbort(CompletedTxn txn) {
        AbortedTxn entry = new AbortedTxn(
                txn.producerId(), txn.firstOffset(), txn.lastOffset(), producerState.lastStableOffsetAfter(txn));
        try {
            activeSegment.txnIndex().append(entry);
        } catch (IOException e) {
            LOG.error(
                    "Could not write an aborted transaction to the transaction index; the log is offline until it is "
                            + "opened again: file={} entry={}",
                    activeSegment.txnIndex().file(),
                    entry,
                    e);
            fsyncFailureHandler.fsyncFailed(
                    "could not write the transaction index: file=" + activeSegment.logFile(), e);
        }
    }

    private LogAppendInfo write(
            ByteBuffer records,
            int start,
            int end,
            long firstOffset,
            int leaderEpoch,
            LogConfig cfg,
            long now,
            int recordCount,
            long logStartOffset)
            throws IOException {
        long next = firstOffset;
        long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
        for (int pos = start; pos < end; pos += view.sizeInBytes()) {
            view.wrap(records, pos);
            view.setBaseOffset(next);
            view.setPartitionLeaderEpoch(leaderEpoch);
            if (cfg.logAppendTime()) {
                view.setLogAppendTime(now);
            }
            maxTimestamp = Math.max(maxTimestamp, view.maxTimestamp());
            next = view.lastOffset() + 1;
        }
        long lastOffset = next - 1;
        writeBatches(records, start, end, firstOffset, lastOffset, cfg, now);
        producerState.commitStaged();
        return new LogAppendInfo(
                firstOffset,
                lastOffset,
                maxTimestamp,
                cfg.logAppendTime() ? now : -1,
                logStartOffset,
                recordCount,
                false);
    }

    /**
     * A follower's write ({@link LogReplica#appendAsFollower}): the batches of {@code records} [start, end) carry their
     * final offsets, the last ending at {@code lastOffset}, and are written as they are. A roll starts the new segment
     * at the log end offset, so that a gap in the leader's offsets (a compacted log) leaves no gap between segments,
     * unless the batches' offsets would not fit the new segment's relative offsets (more than
     * {@link Integer#MAX_VALUE} past its base): then as close to the log end as they fit. The caller checked the
     * batches, made sure they span at most {@link Integer#MAX_VALUE} offsets from the first one's base, and updates the
     * producer state once this returns.
     */
    void appendVerbatim(
            ByteBuffer records, int start, int end, long logEndOffset, long lastOffset, LogConfig cfg, long now)
            throws IOException {
        long rollBase = Math.max(logEndOffset, lastOffset - Integer.MAX_VALUE);
        writeBatches(records, start, end, rollBase, lastOffset, cfg, now);
    }

    /**
     * Writes batches whose offsets are set, the last ending at {@code lastOffset}, at the end of the active segment
     * after rolling to a new one at {@code rollBase} if needed, with their index entries, and publishes them.
     */
    private void writeBatches(
            ByteBuffer records, int start, int end, long rollBase, long lastOffset, LogConfig cfg, long now)
            throws IOException {
        int totalBytes = end - start;
        LogSegment segment = maybeRoll(totalBytes, rollBase, lastOffset, now, cfg);
        ByteBuffer slice = records.duplicate();
        slice.limit(end).position(start);
        int position = segment.write(slice);
        for (int pos = start; pos < end; pos += view.sizeInBytes()) {
            view.wrap(records, pos);
            segment.onBatchAppended(
                    view.baseOffset(),
                    view.maxTimestamp(),
                    position + (pos - start),
                    view.sizeInBytes(),
                    cfg.indexIntervalBytes());
        }
        segment.publish(position + totalBytes, lastOffset + 1, now);
    }

    /** The active segment, after rolling to a new one at {@code newBase} (the log end offset, or past it) if needed. */
    private LogSegment maybeRoll(int batchBytes, long newBase, long lastOffset, long now, LogConfig cfg)
            throws IOException {
        LogSegment current = activeSegment;
        if (!current.shouldRoll(batchBytes, lastOffset, now, cfg)) {
            return current;
        }
        return roll(newBase, cfg);
    }

    /**
     * Rolls to a new active segment at {@code newBase}: the log end offset (also retention's, under the lock), or for
     * a follower past it, where no batch is (see {@link #appendVerbatim}).
     */
    LogSegment roll(long newBase, LogConfig cfg) throws IOException {
        LogSegment current = activeSegment;
        LogSegment created;
        try {
            // A failed write whose cleanup also failed may have left bytes past the segment's size; cut them
            // before the segment becomes inactive, else recovery would truncate there and drop later segments.
            current.trimToSize();
            created = LogSegment.open(dir, newBase, cfg.maxIndexSizeBytes(), files);
        } catch (IOException e) {
            throw new LogStorageException(
                    "could not roll segment: dir=" + dir + " baseOffset=" + newBase + " reason=" + e.getMessage(), e);
        }
        current.onBecomeInactive();
        segments.put(newBase, created);
        activeSegment = created;
        try {
            // Indexes of inactive segments are trusted at load, so they are made durable once, here. Failed
            // index writes are retried at close; a failure here is the fsync's, and takes the log offline.
            current.flushIndexes();
        } catch (IOException e) {
            throw fsyncFailureHandler.fsyncFailed(
                    "could not fsync the indexes of a rolled segment: file=" + current.logFile(), e);
        }
        // Durable now: the index entries of the inactive segment leave the heap (lookups read the files on demand).
        current.dropIndexesFromHeap();
        try {
            // Not fsynced: a snapshot is only used if the log data before its offset survives recovery.
            producerState.takeSnapshot(newBase, false);
        } catch (IOException e) {
            LOG.warn(
                    "Could not write producer snapshot at roll: dir={} offset={} reason={}",
                    dir,
                    newBase,
                    e.getMessage());
        }
        return created;
    }
}
