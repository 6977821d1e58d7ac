package io.piste.storage.log;

import java.io.IOException;

/**
 * Cuts one segment at a batch boundary, durably, for a follower's truncation ({@link LogReplica#truncateTo}): the log
 * file is cut and fsynced, so that no recovery finds the cut batches again (recovery trusts the bytes below the
 * recovery point), and the indexes are rebuilt from the last offset-index entry that is still inside the file, as
 * recovery does ({@link SegmentRecovery#recover}, which checks the few batches it rescans), then fsynced; the
 * transaction index loses the aborts whose markers were cut. Stateless. Threads: the segment's writer, under the log's
 * append lock; readers racing it may fail a read (a follower's log is not read by clients), never see a torn batch
 * as whole.
 */
final class SegmentTruncation {

    private SegmentTruncation() {}

    /**
     * Removes the batches of {@code segment} that end at or after {@code offset} (a batch holding {@code offset} goes
     * whole) and returns the segment's new next offset: {@code offset} when it is a batch boundary of a contiguous
     * log, lower when it falls inside a batch or after a gap.
     */
    static long truncateTo(LogSegment segment, long offset, int indexIntervalBytes) throws IOException {
        int cut = segment.positionOf(offset);
        if (cut < 0) {
            return segment.nextOffset(); // no batch reaches offset: nothing to cut here
        }
        // Readers first: the published size stops short of the bytes about to go.
        segment.restoreEnd(cut, segment.nextOffset(), -1);
        segment.channel().truncate(cut);
        // Into heap (an inactive segment's entries may be in its files only) and short of the cut.
        segment.offsetIndex().truncateTo(offset);
        segment.timeIndex().truncateTo(offset);
        int keep = SegmentRecovery.validOffsetIndexPrefix(segment, Long.MAX_VALUE);
        SegmentRecovery.recover(segment, keep, indexIntervalBytes, new BatchScanner());
        segment.txnIndex().truncateTo(segment.nextOffset());
        segment.channel().force(true);
        segment.flushIndexes();
        return segment.nextOffset();
    }
}
