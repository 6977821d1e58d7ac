package io.piste.storage.log;

import io.piste.storage.errors.StorageException;
import io.piste.storage.record.BatchValidator;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads whole batches from a segment file during recovery and validates them fully (CRC included), counting
 * them. Single-threaded: one instance per recovery.
 */
final class BatchScanner {
    private static final int MAX_OFFSET_SPAN = Integer.MAX_VALUE;

    private ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private final RecordBatchView view = new RecordBatchView();
    private long batchesValidated;

    /** The batch of the last successful {@link #check}. */
    RecordBatchView view() {
        return view;
    }

    long batchesValidated() {
        return batchesValidated;
    }

    /**
     * Reads the batch at {@code position} and returns null if it is whole and valid (then {@link #view()} shows
     * it), otherwise the reason it is not.
     */
    String check(FileChannel channel, long position, long fileSize, long minBaseOffset, long segmentBaseOffset)
            throws IOException {
        long remaining = fileSize - position;
        if (remaining < RecordBatchView.HEADER_SIZE) {
            return "incomplete batch header: remainingBytes=" + remaining;
        }
        buffer.clear().limit(RecordBatchView.HEADER_SIZE);
        LogFiles.readFully(channel, buffer, position);
        view.wrap(buffer, 0);
        long size = (long) view.batchLength() + RecordBatchView.LOG_OVERHEAD;
        if (size < RecordBatchView.HEADER_SIZE) {
            return "batch smaller than its header: batchLength=" + view.batchLength();
        }
        if (size > remaining) {
            return "incomplete batch: sizeInBytes=" + size + " remainingBytes=" + remaining;
        }
        if (buffer.capacity() < size) {
            buffer = ByteBuffer.allocate((int) Math.max(size, buffer.capacity() * 2L));
        }
        buffer.clear().limit((int) size);
        LogFiles.readFully(channel, buffer, position);
        view.wrap(buffer, 0);
        try {
            BatchValidator.validate(view, (int) size, Integer.MAX_VALUE, false);
        } catch (StorageException e) {
            return e.getMessage();
        }
        if (view.baseOffset() < minBaseOffset) {
            return "offset not increasing: baseOffset=" + view.baseOffset() + " expectedAtLeast=" + minBaseOffset;
        }
        if (view.lastOffset() - segmentBaseOffset > MAX_OFFSET_SPAN) {
            return "offset beyond segment range: lastOffset=" + view.lastOffset();
        }
        batchesValidated++;
        return null;
    }
}
