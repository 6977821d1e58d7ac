package io.piste.storage.producer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * State of one producer id: its epoch and its last (up to {@value ProducerStateManager#NUM_BATCHES_TO_RETAIN})
 * batches, oldest first. Immutable, so it may be handed to any thread.
 */
public final class ProducerEntry {
    private final long producerId;
    private final short epoch;
    private final List<BatchMetadata> batches;

    ProducerEntry(long producerId, short epoch, List<BatchMetadata> batches) {
        this.producerId = producerId;
        this.epoch = epoch;
        this.batches = Collections.unmodifiableList(batches);
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

    /** Sequence of the last record written, or -1 if no batch is retained. */
    public int lastSequence() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastSeq();
    }

    /** Offset of the last record written, or -1 if no batch is retained. */
    public long lastOffset() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastOffset();
    }

    public long lastTimestamp() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).maxTimestamp();
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
        return new ProducerEntry(producerId, epoch, next);
    }

    ProducerEntry withEpoch(short newEpoch) {
        return new ProducerEntry(producerId, newEpoch, newEpoch == epoch ? batches : List.of());
    }

    @Override
    public String toString() {
        return "ProducerEntry(producerId=" + producerId + ", epoch=" + epoch + ", batches=" + batches + ")";
    }
}
