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
     * Visits the records of the whole batches in {@code src} (position to limit) in offset order; control batches
     * are not visited. Stops at the first record the visitor refuses. Returns the bytes of the whole batches read
     * (0 if the first batch is not whole in {@code src}); {@code src}'s position is not moved.
     */
    int scanKeys(ByteBuffer src, KeyVisitor visitor);

    /**
     * Writes the retained part of the whole batches in {@code src} (position to limit), as {@code rules} decide,
     * and returns the bytes read (0 if the first batch is not whole) and the retained batches. A batch the rules
     * neither empty nor shorten is copied as it is.
     */
    Filtered filter(ByteBuffer src, Rules rules, ByteBuffer dest);

    /** Receives each record of a data batch; returns false to stop. */
    interface KeyVisitor {
        /** {@code key} is null for a record without one; the buffer is only valid during the call. */
        boolean onRecord(ByteBuffer key, long offset);
    }

    /** The cleaner's decisions, asked batch by batch and record by record. */
    interface Rules {
        /** Now, for the tombstones' delete horizon. */
        long nowMs();

        /** {@code delete.retention.ms}: how long tombstones stay once a cleaning has seen them. */
        long deleteRetentionMs();

        /** Whether the batch's header stays even if none of its records does. */
        boolean retainEmpty(long producerId, long lastOffset, boolean control);

        /**
         * Whether a record of a data batch stays. {@code deleteHorizonPassed}: the batch carries a delete horizon
         * (set by an earlier cleaning) that now has passed, so its tombstones may go.
         */
        boolean keepRecord(ByteBuffer key, long offset, boolean hasValue, boolean deleteHorizonPassed);
    }

    /** Bytes read from the source, and the retained batches (position 0 to limit). */
    record Filtered(int bytesRead, ByteBuffer output) {}
}
