package io.piste.storage.log;

import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.errors.TransactionCoordinatorFencedException;
import io.piste.storage.index.AbortedTxn;
import io.piste.storage.producer.ProducerStateManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The log side of transactions for one {@link UnifiedLog}: the append of COMMIT and ABORT markers (the transaction
 * coordinator's path, never a client's), the group coordinator's appends of transactional offsets, the last stable offset, and the aborted transactions a read_committed fetch
 * needs (from each segment's {@code .txnindex}).
 *
 * <p>Threads: {@link #appendMarker} and {@link #appendAsCoordinator} take the log's append lock; {@link #lastStableOffset()} and
 * {@link #collectAbortedTransactions} run from any thread without a lock.
 */
public final class LogTransactions {
    private final UnifiedLog log;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ReentrantLock appendLock;
    private final LogAppender appender;
    private final ProducerStateManager producerState;
    private final LongSupplier clockMs;

    LogTransactions(
            UnifiedLog log,
            ConcurrentSkipListMap<Long, LogSegment> segments,
            ReentrantLock appendLock,
            LogAppender appender,
            ProducerStateManager producerState,
            LongSupplier clockMs) {
        this.log = log;
        this.segments = segments;
        this.appendLock = appendLock;
        this.appender = appender;
        this.producerState = producerState;
        this.clockMs = clockMs;
    }

    /**
     * Appends a COMMIT ({@code commit}) or ABORT marker for {@code producerId} at the log end: a control batch in
     * Kafka's format with the producer's epoch and the coordinator's epoch. It closes the producer's open transaction
     * in this partition, if any (a marker without one is written all the same, as Kafka does). The append is durable
     * as any other: the caller waits for the high watermark to pass {@link LogAppendInfo#lastOffset()}.
     * {@code transactionVersion} is the transaction's (KIP-890): from 2 on, the coordinator bumps the producer's
     * epoch at each transaction's end, so the marker's epoch must be newer than the producer's, and becomes its epoch
     * (a late batch of the ended transaction is then refused as stale); before 2, it may not be older.
     *
     * @throws InvalidProducerEpochException if {@code producerEpoch} is older than the producer's (from transaction
     *     version 2 on, not newer)
     * @throws TransactionCoordinatorFencedException if {@code coordinatorEpoch} is older than the last marker's
     * @throws LogStorageException if the write failed; nothing was appended
     */
    public LogAppendInfo appendMarker(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion,
            int leaderEpoch)
            throws IOException {
        appendLock.lock();
        try {
            log.ensureOpen();
            LogAppendInfo info = appender.appendMarker(
                    producerId,
                    producerEpoch,
                    coordinatorEpoch,
                    commit,
                    transactionVersion,
                    leaderEpoch,
                    log.logStartOffset(),
                    log.logEndOffset(),
                    log.config(),
                    clockMs.getAsLong());
            log.onAppended(info, leaderEpoch);
            return info;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Appends the records of the broker's own group coordinator (to {@code __consumer_offsets}), as
     * {@link UnifiedLog#appendAsLeader} does a client's but with {@link AppendOrigin#COORDINATOR}'s checks: the
     * transactional batches of TxnOffsetCommit, each at sequence 0 as Kafka writes them, are checked for their
     * producer epoch only.
     */
    public LogAppendInfo appendAsCoordinator(ByteBuffer records, int leaderEpoch) throws IOException {
        appendLock.lock();
        try {
            log.ensureOpen();
            LogAppendInfo info = appender.append(
                    records,
                    leaderEpoch,
                    log.logStartOffset(),
                    log.logEndOffset(),
                    log.config(),
                    clockMs.getAsLong(),
                    AppendOrigin.COORDINATOR);
            log.onAppended(info, leaderEpoch);
            return info;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * The aborted transactions that overlap [{@code startOffset}, {@code upperBoundOffset}) (Kafka's
     * {@code collectAbortedTransactions}): from the transaction index of the segment holding {@code startOffset} and of
     * the later ones, until an entry's last stable offset shows that no later one can begin below the bound. A
     * segment with no abort costs no file access.
     */
    public List<AbortedTxn> collectAbortedTransactions(long startOffset, long upperBoundOffset) throws IOException {
        List<AbortedTxn> aborted = new ArrayList<>();
        Long first = segments.floorKey(startOffset);
        Map<Long, LogSegment> from = first == null ? segments : segments.tailMap(first, true);
        for (LogSegment segment : from.values()) {
            if (segment.txnIndex().collect(startOffset, upperBoundOffset, aborted)) {
                break;
            }
        }
        return aborted;
    }

    /**
     * The aborted transactions a read from {@code fetchOffset} bounded by {@code maxOffset} needs: a read returns
     * batches of one segment, the one holding the fetch offset or (if it has none at or after it) the next, so the
     * bound is the base of the segment after those two, as Kafka bounds it by the segment after the read's.
     */
    public List<AbortedTxn> abortedTransactionsForRead(long fetchOffset, long maxOffset) throws IOException {
        Long first = segments.floorKey(fetchOffset);
        Long second = first == null ? null : segments.higherKey(first);
        Long third = second == null ? null : segments.higherKey(second);
        long upperBound = third == null ? maxOffset : Math.min(maxOffset, third);
        return collectAbortedTransactions(fetchOffset, upperBound);
    }

    /**
     * The offset below which every transaction is decided and its marker below the high watermark: the first offset
     * of the oldest open (or not yet stable) transaction, at most the high watermark and (as Kafka's) at least the
     * log start offset, which retention or DeleteRecords may move past an open transaction. Three volatile reads,
     * the high watermark first: read after, it could have passed a transaction begun after the first read.
     */
    public long lastStableOffset() {
        long highWatermark = log.highWatermark();
        long firstUnstable = Math.max(producerState.firstUnstableOffset(), log.logStartOffset());
        return Math.min(highWatermark, firstUnstable);
    }
}
