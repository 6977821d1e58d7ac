package io.piste.storage.log;

import java.io.IOException;

/**
 * ListOffsets by timestamp over a log's segments, oldest first: the first batch at or after a time, and the batch of
 * the largest timestamp. Lock-free like a read (the segments are a concurrent map's values). Stateless.
 */
final class TimestampLookup {
    private TimestampLookup() {}

    /** The first batch (by offset) whose maxTimestamp is at least {@code targetTimestampMs}, or null. */
    static BatchLocation findBatchByTimestamp(Iterable<LogSegment> segments, long targetTimestampMs)
            throws IOException {
        for (LogSegment segment : segments) {
            BatchLocation found = segment.findBatchByTimestamp(targetTimestampMs);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The first batch holding the largest maxTimestamp of the log, or null if the log is empty. */
    static BatchLocation batchWithMaxTimestamp(Iterable<LogSegment> segments) throws IOException {
        LogSegment best = null;
        long bestTimestamp = Long.MIN_VALUE;
        for (LogSegment segment : segments) {
            if (segment.offsetOfMaxTimestamp() >= 0 && (best == null || segment.maxTimestamp() > bestTimestamp)) {
                best = segment;
                bestTimestamp = segment.maxTimestamp();
            }
        }
        return best == null ? null : best.batchWithMaxTimestamp();
    }
}
