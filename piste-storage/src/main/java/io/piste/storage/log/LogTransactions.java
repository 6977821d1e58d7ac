package io.piste.storage.log;

import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.errors.TransactionCoordinatorFencedException;
import io.piste.storage.producer.ProducerStateManager;
import java.io.IOException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The log side of transactions for one {@link UnifiedLog}: the append of COMMIT and ABORT markers (the transaction
 * coordinator's path, never a client's) and the last stable offset.
 *
 * <p>Threads: {@link #appendMarker} takes the log's append lock; {@link #lastStableOffset()} runs from any thread
 * without a lock.
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
     *
     * @throws InvalidProducerEpochException if {@code producerEpoch} is older than the producer's
     * @throws TransactionCoordinatorFencedException if {@code coordinatorEpoch} is older than the last marker's
     * @throws LogStorageException if the write failed; nothing was appended
     */
    public LogAppendInfo appendMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, int leaderEpoch)
            throws IOException {
        appendLock.lock();
        try {
            log.ensureOpen();
            LogAppendInfo info = appender.appendMarker(
                    producerId,
                    producerEpoch,
                    coordinatorEpoch,
                    commit,
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
     * The offset below which every transaction is decided and its marker below the high watermark: the first offset
     * of the oldest open (or not yet stable) transaction, at most the high watermark. Two volatile reads.
     */
    public long lastStableOffset() {
        return Math.min(log.highWatermark(), producerState.firstUnstableOffset());
    }
}
