package io.piste.storage.log;

import io.piste.storage.index.AbortedTxn;
import io.piste.storage.record.ControlBatches;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A segment being written by the cleaner, under {@code <baseOffset>.log.cleaned} and its {@code .cleaned} indexes,
 * invisible to readers until {@link CompactionAccess#replace} swaps it in. One writer (the cleaner thread).
 */
public final class CleanedSegment {
    private final LogSegment segment;
    private final int indexIntervalBytes;
    private final RecordBatchView view = new RecordBatchView();
    /**
     * Offsets of the ABORT markers appended with their record: the aborted transactions this segment keeps (as many
     * as the replaced segments' index entries at most, which Kafka's cleaner holds in memory too).
     */
    private final Set<Long> markers = new HashSet<>();

    /** The log's truncation count when the cleaning that writes this segment began to read the log. */
    private final long truncationsSeen;

    private long nextOffset;

    CleanedSegment(LogSegment segment, int indexIntervalBytes, long truncationsSeen) {
        this.segment = segment;
        this.indexIntervalBytes = indexIntervalBytes;
        this.truncationsSeen = truncationsSeen;
        this.nextOffset = segment.baseOffset();
    }

    long truncationsSeen() {
        return truncationsSeen;
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
            if (view.isControl() && isAbortMarker(batches, at, size)) {
                markers.add(view.baseOffset());
            }
            segment.onBatchAppended(
                    view.baseOffset(), view.maxTimestamp(), position + (at - start), size, indexIntervalBytes);
            next = view.lastOffset() + 1;
            at += size;
        }
        nextOffset = next;
        segment.publish(position + (end - start), next, 0);
    }

    private static boolean isAbortMarker(ByteBuffer batches, int at, int size) {
        long marker = ControlBatches.parseMarker(batches, at + RecordBatchView.HEADER_SIZE, at + size);
        return marker != ControlBatches.NOT_A_MARKER && !ControlBatches.isCommit(marker);
    }

    /**
     * Appends the aborted-transaction entries of {@code replaced}, a segment this one replaces, whose ABORT marker
     * this segment kept: an entry without its marker would make a read_committed consumer drop the producer's later
     * committed batches of the same fetch (no marker ends the aborted range).
     */
    void copyAbortedTransactions(LogSegment replaced) throws IOException {
        List<AbortedTxn> aborted = new ArrayList<>();
        replaced.txnIndex().collect(Long.MIN_VALUE, Long.MAX_VALUE, aborted);
        for (AbortedTxn txn : aborted) {
            if (markers.contains(txn.lastOffset())) {
                segment.txnIndex().append(txn);
            }
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
