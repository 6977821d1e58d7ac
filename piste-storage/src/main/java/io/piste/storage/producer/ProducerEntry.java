package io.piste.storage.producer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * State of one producer id: its epoch, its last (up to {@value ProducerStateManager#NUM_BATCHES_TO_RETAIN})
 * batches, oldest first, the first offset of its open transaction (if any) and the coordinator epoch of the last
 * marker written for it. Immutable, so it may be handed to any thread.
 */
public final class ProducerEntry {
    /** {@link #currentTxnFirstOffset()} of a producer with no open transaction. */
    public static final long NO_TXN = -1L;
    /** {@link #coordinatorEpoch()} before any marker was written for the producer. */
    public static final int NO_COORDINATOR_EPOCH = -1;

    private final long producerId;
    private final short epoch;
    private final List<BatchMetadata> batches;
    private final long currentTxnFirstOffset;
    private final int coordinatorEpoch;
    private final long lastTimestamp;

    ProducerEntry(long producerId, short epoch, List<BatchMetadata> batches) {
        this(producerId, epoch, batches, NO_TXN, NO_COORDINATOR_EPOCH, lastTimestampOf(batches));
    }

    ProducerEntry(
            long producerId,
            short epoch,
            List<BatchMetadata> batches,
            long currentTxnFirstOffset,
            int coordinatorEpoch,
            long lastTimestamp) {
        this.producerId = producerId;
        this.epoch = epoch;
        this.batches = Collections.unmodifiableList(batches);
        this.currentTxnFirstOffset = currentTxnFirstOffset;
        this.coordinatorEpoch = coordinatorEpoch;
        this.lastTimestamp = lastTimestamp;
    }

    private static long lastTimestampOf(List<BatchMetadata> batches) {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).maxTimestamp();
    }

    public long producerId() {
        return producerId;
    }

    public short epoch() {
        return epoch;
    }

    /** Retained batches, oldest first. */
    public List<BatchMetadata> batches() {
        return batches;
    }

    /** First offset of the producer's open transaction, or {@link #NO_TXN}. */
    public long currentTxnFirstOffset() {
        return currentTxnFirstOffset;
    }

    /** Whether the producer has an open transaction in this partition. */
    public boolean inTransaction() {
        return currentTxnFirstOffset != NO_TXN;
    }

    /** Coordinator epoch of the last marker written for the producer, or {@link #NO_COORDINATOR_EPOCH}. */
    public int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    /** Sequence of the last record written, or -1 if no batch is retained. */
    public int lastSequence() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastSeq();
    }

    /** Offset of the last record written, or -1 if no batch is retained. */
    public long lastOffset() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastOffset();
    }

    /**
     * Timestamp of the producer's last batch or marker, or -1: what {@code producer.id.expiration.ms} counts from. A
     * marker that bumped the epoch leaves no batch, and its producer must not expire before a batch of the old epoch
     * could still come late.
     */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    /** The retained batch with exactly this sequence range, or null. */
    public BatchMetadata findDuplicate(int firstSeq, int lastSeq) {
        for (BatchMetadata b : batches) {
            if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
                return b;
            }
        }
        return null;
    }

    /** This entry plus one batch (in the same epoch), dropping the oldest beyond the retained count. */
    ProducerEntry withBatch(BatchMetadata batch) {
        List<BatchMetadata> next = new ArrayList<>(ProducerStateManager.NUM_BATCHES_TO_RETAIN);
        int from = Math.max(0, batches.size() + 1 - ProducerStateManager.NUM_BATCHES_TO_RETAIN);
        next.addAll(batches.subList(from, batches.size()));
        next.add(batch);
        return new ProducerEntry(
                producerId, epoch, next, currentTxnFirstOffset, coordinatorEpoch, batch.maxTimestamp());
    }

    ProducerEntry withEpoch(short newEpoch) {
        return new ProducerEntry(
                producerId,
                newEpoch,
                newEpoch == epoch ? batches : List.of(),
                currentTxnFirstOffset,
                coordinatorEpoch,
                lastTimestamp);
    }

    /** This entry with a transaction open from {@code firstOffset}. */
    ProducerEntry withTxnStarted(long firstOffset) {
        return new ProducerEntry(producerId, epoch, batches, firstOffset, coordinatorEpoch, lastTimestamp);
    }

    /**
     * This entry after a marker of {@code markerEpoch} and {@code markerCoordinatorEpoch} written at
     * {@code markerTimestamp}: no open transaction, and (as Kafka's maybeUpdateProducerEpoch) a newer epoch becomes
     * the producer's and clears the retained batches, so its next batch starts at sequence 0 and a late batch of an
     * older epoch is refused.
     */
    ProducerEntry withTxnEnded(short markerEpoch, int markerCoordinatorEpoch, long markerTimestamp) {
        short newEpoch = markerEpoch > epoch ? markerEpoch : epoch;
        return new ProducerEntry(
                producerId,
                newEpoch,
                newEpoch == epoch ? batches : List.of(),
                NO_TXN,
                markerCoordinatorEpoch,
                Math.max(lastTimestamp, markerTimestamp));
    }

    @Override
    public String toString() {
        return "ProducerEntry(producerId=" + producerId + ", epoch=" + epoch + ", batches=" + batches
                + ", currentTxnFirstOffset=" + currentTxnFirstOffset + ", coordinatorEpoch=" + coordinatorEpoch
                + ", lastTimestamp=" + lastTimestamp + ")";
    }
}
