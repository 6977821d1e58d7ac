package io.piste.storage.cleaner;

import java.nio.ByteBuffer;

/**
 * What the cleaner needs of the record format that the storage does not know: the keys of compressed batches, and
 * batches rewritten with only some of their records. Implemented by the broker with kafka-clients, so that a batch
 * keeps its compression codec, producer id, epoch and base sequence, base offset and last offset, as Kafka's cleaner
 * rewrites it. Implementations are stateless or confined to one cleaner thread.
 */
public interface CleanerCodec {

    /**
     * Visits the whole batches in {@code src} (position to limit) in offset order: each batch ({@link
     * KeyVisitor#onBatch}), then the records of a data batch the visitor wants; the records of control batches are
     * not visited. Stops at the first record the visitor refuses. Returns the bytes of the whole batches read (0 if
     * the first batch is not whole in {@code src}); {@code src}'s position is not moved.
     */
    int scanKeys(ByteBuffer src, KeyVisitor visitor);

    /**
     * Writes the retained part of the whole batches in {@code src} (position to limit), as {@code rules} decide,
     * and returns the bytes read (0 if the first batch is not whole) and the retained batches. A batch the rules
     * neither empty nor shorten is copied as it is.
     */
    Filtered filter(ByteBuffer src, Rules rules, ByteBuffer dest);

    /**
     * What a batch is to the transaction rules: data, a COMMIT or an ABORT marker, or another control batch (an
     * unknown control type, or a marker whose record an earlier cleaning removed).
     */
    enum BatchKind {
        DATA,
        COMMIT,
        ABORT,
        OTHER_CONTROL
    }

    /** Receives each batch, and each record of a data batch; returns false to stop. */
    interface KeyVisitor {
        /** Before a batch's records: returns false to skip them (an aborted transaction's batch). */
        boolean onBatch(long producerId, long lastOffset, boolean transactional, BatchKind kind);

        /** {@code key} is null for a record without one; the buffer is only valid during the call. */
        boolean onRecord(ByteBuffer key, long offset);
    }

    /** The cleaner's decisions, asked batch by batch and record by record. */
    interface Rules {
        /** Now, for the tombstones' delete horizon. */
        long nowMs();

        /** {@code delete.retention.ms}: how long tombstones stay once a cleaning has seen them. */
        long deleteRetentionMs();

        /** Decides a batch as a whole: asked once per batch, in offset order, before its records. */
        BatchFate checkBatch(long producerId, long lastOffset, boolean transactional, BatchKind kind);

        /**
         * Whether a record of a data batch stays. {@code deleteHorizonPassed}: the batch carries a delete horizon
         * (set by an earlier cleaning) that now has passed, so its tombstones may go.
         */
        boolean keepRecord(ByteBuffer key, long offset, boolean hasValue, boolean deleteHorizonPassed);
    }

    /**
     * What happens to a batch as a whole. {@code discard}: for a data batch, it belongs to an aborted transaction and
     * none of its records stays; for a marker, no data of its transaction is left, so it goes once its delete horizon
     * has passed (the codec sets the horizon, {@code now + delete.retention.ms}, the first time, as for a batch with
     * tombstones). {@code retainEmpty}: the batch's header stays even if none of its records does.
     */
    record BatchFate(boolean discard, boolean retainEmpty) {
        private static final BatchFate[] ALL = {
            new BatchFate(false, false),
            new BatchFate(false, true),
            new BatchFate(true, false),
            new BatchFate(true, true)
        };

        /** One of four shared instances: nothing is allocated per batch. */
        public static BatchFate of(boolean discard, boolean retainEmpty) {
            return ALL[(discard ? 2 : 0) + (retainEmpty ? 1 : 0)];
        }
    }

    /** Bytes read from the source, and the retained batches (position 0 to limit). */
    record Filtered(int bytesRead, ByteBuffer output) {}
}
