package io.piste.storage.log;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * Which segments Kafka's retention deletes ({@code UnifiedLog.deleteOldSegments}): first the segments wholly below
 * the log start offset, whatever the cleanup policy; then, with {@code delete} in the policy, the oldest segments
 * while the log is over {@code retention.bytes}, then the oldest whose largest timestamp is more than
 * {@code retention.ms} old. Each pass takes whole segments from the oldest and stops at the first it keeps; a segment
 * goes only if every offset in it is below the high watermark, so the log start offset never passes it; an empty
 * last segment never goes. When every segment goes (the active one too: expired and all below the high watermark),
 * the log rolls first, as Kafka does, so that one empty segment stays. Stateless.
 */
final class RetentionRules {

    private RetentionRules() {}

    /**
     * The log start offset that retention by size and time asks for: the base offset of the first segment it keeps,
     * the log end offset when it keeps none (the caller rolls), or -1 when it deletes nothing beyond what the current
     * log start offset already covers.
     */
    static long retentionTarget(
            NavigableMap<Long, LogSegment> segments,
            LogCleanupConfig config,
            long nowMs,
            long logStartOffset,
            long highWatermark,
            long logEndOffset) {
        if (!config.delete()) {
            return -1;
        }
        List<LogSegment> all = new ArrayList<>(segments.values());
        int n = all.size();
        int first = 0;
        // Kafka deletes these first (log start offset breached), so the size below is that of the rest.
        while (first + 1 < n && all.get(first + 1).baseOffset() <= logStartOffset) {
            first++;
        }
        int i = first;
        if (config.retentionBytes() >= 0) {
            long size = 0;
            for (int j = first; j < n; j++) {
                size += all.get(j).sizeInBytes();
            }
            long diff = size - config.retentionBytes();
            while (diff >= 0 && i < n && eligible(all, i, highWatermark, logEndOffset)) {
                int segmentBytes = all.get(i).sizeInBytes();
                if (diff - segmentBytes < 0) {
                    break;
                }
                diff -= segmentBytes;
                i++;
            }
        }
        if (config.retentionMs() >= 0) {
            while (i < n
                    && eligible(all, i, highWatermark, logEndOffset)
                    && nowMs - largestTimestamp(all.get(i), nowMs) > config.retentionMs()) {
                i++;
            }
        }
        if (i == first) {
            return -1;
        }
        return i == n ? logEndOffset : all.get(i).baseOffset();
    }

    /** Whether every offset of segment {@code i} is below the high watermark, and it is not an empty last one. */
    private static boolean eligible(List<LogSegment> all, int i, long highWatermark, long logEndOffset) {
        boolean last = i + 1 == all.size();
        long upperBound = last ? logEndOffset : all.get(i + 1).baseOffset();
        return highWatermark >= upperBound && !(last && all.get(i).sizeInBytes() == 0);
    }

    /**
     * Kafka's {@code LogSegment.largestTimestamp}: the largest batch timestamp, or the log file's last modification
     * time when no batch has one. A file whose time cannot be read counts as new: retention waits rather than guess.
     */
    static long largestTimestamp(LogSegment segment, long nowMs) {
        long max = segment.maxTimestamp();
        if (max >= 0) {
            return max;
        }
        try {
            return Files.getLastModifiedTime(segment.logFile()).toMillis();
        } catch (IOException e) {
            return nowMs;
        }
    }

    /**
     * The segments wholly below {@code logStartOffset} (the next segment begins at or below it), oldest first; never
     * the last segment.
     */
    static List<LogSegment> belowLogStart(NavigableMap<Long, LogSegment> segments, long logStartOffset) {
        List<LogSegment> below = new ArrayList<>();
        LogSegment previous = null;
        for (LogSegment segment : segments.values()) {
            if (segment.baseOffset() > logStartOffset) {
                break;
            }
            if (previous != null) {
                below.add(previous);
            }
            previous = segment;
        }
        return below;
    }
}
