package io.piste.storage.log;

import io.piste.storage.producer.CompletedTxn;
import io.piste.storage.producer.ProducerStateManager;
import io.piste.storage.record.ControlBatches;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer state from batches as they are stored, without the checks of a leader's append (Kafka's replication and
 * recovery origins): a data batch updates its producer and may open its transaction, a COMMIT or ABORT marker closes
 * it. Used by the load of a log ({@link LogLoader}), by a follower's append and by a truncation ({@link LogReplica}).
 * Stateless; the caller holds whatever lock guards the producer state.
 */
final class ProducerStateReplay {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateReplay.class);

    /** Told of each transaction a replayed ABORT marker closed, with the segment that holds the marker. */
    @FunctionalInterface
    interface AbortListener {
        AbortListener NONE = (segment, txn) -> {};

        void aborted(LogSegment segment, CompletedTxn txn) throws IOException;
    }

    private ProducerStateReplay() {}

    /**
     * Applies one stored batch; {@code marker} is the control batch's marker ({@link ControlBatches#parseMarker}),
     * ignored for a data batch. Returns the transaction a marker closed, or null.
     */
    static CompletedTxn apply(ProducerStateManager producerState, RecordBatchView h, long marker) {
        if (h.producerId() == RecordBatchView.NO_PRODUCER_ID) {
            return null;
        }
        if (!h.isControl()) {
            producerState.update(
                    h.producerId(),
                    h.producerEpoch(),
                    h.baseSequence(),
                    h.lastSequence(),
                    h.baseOffset(),
                    h.lastOffset(),
                    h.maxTimestamp(),
                    h.isTransactional());
            return null;
        }
        if (marker == ControlBatches.NOT_A_MARKER) {
            return null; // another control type, or a marker compacted away: no transaction to close
        }
        return producerState.updateMarker(
                h.producerId(),
                h.producerEpoch(),
                ControlBatches.coordinatorEpoch(marker),
                h.baseOffset(),
                ControlBatches.isCommit(marker),
                h.maxTimestamp());
    }

    /**
     * Rebuilds {@code producerState} from {@code segments}, which end at {@code logEndOffset}: deletes its snapshots
     * past the log end (a failure is logged), loads the newest one at or below {@code maxSnapshotOffset} and replays
     * the batches after it, telling {@code aborts} of each transaction an ABORT marker closes.
     */
    static void rebuild(
            Path dir,
            Collection<LogSegment> segments,
            ProducerStateManager producerState,
            long logStartOffset,
            long logEndOffset,
            long maxSnapshotOffset,
            AbortListener aborts)
            throws IOException {
        try {
            producerState.deleteSnapshotsAbove(logEndOffset);
        } catch (IOException e) {
            LOG.warn(
                    "Could not delete producer snapshots past the log end: dir={} logEndOffset={} reason={}",
                    dir,
                    logEndOffset,
                    e.getMessage());
        }
        long snapshotOffset = producerState.loadLatestSnapshot(maxSnapshotOffset);
        long from = Math.max(snapshotOffset, logStartOffset);
        for (LogSegment segment : segments) {
            if (segment.nextOffset() <= from) {
                continue;
            }
            segment.forEachBatchHeader(from, (h, position) -> {
                if (h.lastOffset() < from || h.producerId() == RecordBatchView.NO_PRODUCER_ID) {
                    return;
                }
                // The view stays valid: reading a marker goes through its own buffer, not the header reader's.
                long marker =
                        h.isControl() ? segment.readMarker(position, h.sizeInBytes()) : ControlBatches.NOT_A_MARKER;
                CompletedTxn completed = apply(producerState, h, marker);
                if (completed != null && completed.aborted()) {
                    aborts.aborted(segment, completed);
                }
            });
        }
    }
}
