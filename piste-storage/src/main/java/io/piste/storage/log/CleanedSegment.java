package io.piste.storage.log;

import io.piste.storage.index.AbortedTxn;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A segment being written by the cleaner, under {@code <baseOffset>.log.cleaned} and its {@code .cleaned} indexes,
 * invisible to readers until {@link CompactionAccess#replace} swaps it in. One writer (the cleaner thread).
 */
public final class CleanedSegment {
    private final LogSegment segment;
    private final int indexIntervalBytes;
    private final RecordBatchView view = new RecordBatchView();
    private long nextOffset;

    CleanedSegment(LogSegment segment, int indexIntervalBytes) {
        this.segment = segment;
        this.indexIntervalBytes = indexIntervalBytes;
        this.nextOffset = segment.baseOffset();
    }

    public long baseOffset() {
        return segment.baseOffset();
    }

    /** Offset after the last batch appended; the base offset while empty. */
    public long nextOffset() {
        return nextOffset;
    }

    public int sizeInBytes() {
        return segment.sizeInBytes();
    }

    /**
     * Appends whole batches (position to limit of {@code batches}, which the caller's codec wrote and checked), in
     * increasing offset order, indexing them as an append would.
     */
    public void append(ByteBuffer batches) throws IOException {
        int start = batches.position();
        int end = batches.limit();
        int position = segment.write(batches.duplicate());
        int at = start;
        long next = nextOffset;
        while (at < end) {
            view.wrap(batches, at);
            int size = view.sizeInBytes();
            if (view.baseOffset() < next || size < RecordBatchView.HEADER_SIZE || at + size > end) {
                throw new IllegalStateException("cleaned batches out of order or not whole: baseOffset="
                        + view.baseOffset() + " expectedAtLeast=" + next + " file=" + segment.logFile());
            }
            segment.onBatchAppended(
                    view.baseOffset(), view.maxTimestamp(), position + (at - start), size, indexIntervalBytes);
            next = view.lastOffset() + 1;
            at += size;
        }
        nextOffset = next;
        segment.publish(position + (end - start), next, 0);
    }

    /** Appends the aborted-transaction entries of {@code replaced}, a segment this one replaces. */
    void copyAbortedTransactions(LogSegment replaced) throws IOException {
        List<AbortedTxn> aborted = new ArrayList<>();
        replaced.txnIndex().collect(Long.MIN_VALUE, Long.MAX_VALUE, aborted);
        for (AbortedTxn txn : aborted) {
            segment.txnIndex().append(txn);
        }
    }

    LogSegment segment() {
        return segment;
    }

    /** Closes and deletes the files of an abandoned cleaning. */
    public void abandon() throws IOException {
        segment.deleteFiles();
    }
}
