package io.piste.storage.log;

import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one partition must hold whatever happens: every batch that was acknowledged (its append was followed by a
 * flush that returned) or that a consumer could have seen (present below the high watermark after a start-up),
 * byte for byte at its offset. An offset in here is never given to other data. Single-threaded.
 */
final class AcknowledgedBatches {
    private final String partition;
    private final TreeMap<Long, byte[]> batches = new TreeMap<>();
    private final RecordBatchView view = new RecordBatchView();
    /** One past the last offset of the batches held. */
    private long endOffset;

    AcknowledgedBatches(String partition) {
        this.partition = partition;
    }

    /** Records a batch as written at {@code stored}'s base offset, bytes as stored. */
    void add(byte[] stored) {
        view.wrap(ByteBuffer.wrap(stored), 0);
        long base = view.baseOffset();
        byte[] earlier = batches.get(base);
        if (earlier != null && !Arrays.equals(earlier, stored)) {
            throw new AssertionError("offset handed out twice: partition=" + partition + " offset=" + base);
        }
        batches.put(base, stored);
        endOffset = Math.max(endOffset, view.lastOffset() + 1);
    }

    /** Forgets the batches wholly below {@code logStartOffset}: retention or DeleteRecords took them. */
    void forgetBelow(long logStartOffset) {
        batches.entrySet()
                .removeIf(e -> view.wrap(ByteBuffer.wrap(e.getValue()), 0).lastOffset() < logStartOffset);
    }

    /** Fails if a new append was given an offset that a held batch already has. */
    void checkFresh(long firstOffset) {
        if (firstOffset < endOffset) {
            throw new AssertionError("offset handed out twice: partition=" + partition + " firstOffset=" + firstOffset
                    + " acknowledgedUpTo=" + endOffset);
        }
    }

    /**
     * Checks the log holds every batch held here at its offset, and no idempotent batch twice; then holds every
     * batch of the log as well (they are below the high watermark from now on).
     */
    void verifyAndExpose(UnifiedLog log) throws IOException {
        for (byte[] bytes : verify(log).values()) {
            add(bytes);
        }
    }

    /**
     * Checks the log holds every batch held here at its offset, and no idempotent batch twice; returns the log's
     * batches by base offset.
     */
    Map<Long, byte[]> verify(UnifiedLog log) throws IOException {
        List<ByteBuffer> present = LogTestSupport.readAll(log, log.logStartOffset());
        Map<Long, byte[]> byOffset = new HashMap<>();
        Map<String, Long> sequences = new HashMap<>();
        for (ByteBuffer batch : present) {
            byte[] bytes = new byte[batch.remaining()];
            batch.duplicate().get(bytes);
            view.wrap(batch, 0);
            byOffset.put(view.baseOffset(), bytes);
            if (view.producerId() != RecordBatchView.NO_PRODUCER_ID) {
                String id = view.producerId() + "/" + view.producerEpoch() + "/" + view.baseSequence();
                Long earlier = sequences.put(id, view.baseOffset());
                if (earlier != null) {
                    throw new AssertionError("idempotent batch stored twice: partition=" + partition
                            + " producer/epoch/sequence=" + id + " offsets=" + earlier + "," + view.baseOffset());
                }
            }
        }
        for (Map.Entry<Long, byte[]> held : batches.entrySet()) {
            byte[] found = byOffset.get(held.getKey());
            if (found == null) {
                throw new AssertionError("acknowledged batch lost: partition=" + partition + " offset="
                        + held.getKey() + " logStartOffset=" + log.logStartOffset() + " logEndOffset="
                        + log.logEndOffset());
            }
            if (!Arrays.equals(found, held.getValue())) {
                throw new AssertionError("acknowledged batch replaced by other data: partition=" + partition
                        + " offset=" + held.getKey());
            }
        }
        if (log.logEndOffset() < endOffset) {
            throw new AssertionError("log end below acknowledged data: partition=" + partition + " logEndOffset="
                    + log.logEndOffset() + " acknowledgedUpTo=" + endOffset);
        }
        return byOffset;
    }
}
