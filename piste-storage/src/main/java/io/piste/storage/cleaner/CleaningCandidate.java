package io.piste.storage.cleaner;

import io.piste.storage.log.CompactionAccess.SegmentInfo;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.util.List;

/**
 * How dirty a compacted log is, as Kafka's LogToClean and LogCleanerManager.cleanableOffsets measure it: the clean
 * part is [log start, first dirty offset), the dirty part [first dirty offset, first uncleanable offset). The first
 * uncleanable offset is the base of the first segment that is the active one, reaches past the last stable offset
 * (at most the high watermark: only acknowledged, decided data is cleaned) or the recovery point (only fsynced data),
 * or holds a record newer than
 * {@code min.compaction.lag.ms}. The log must be cleaned if its dirty ratio reaches {@code min.cleanable.dirty.ratio},
 * or if its first dirty segment's first batch is older than {@code max.compaction.lag.ms}.
 */
record CleaningCandidate(
        CleanableLog target,
        long firstDirtyOffset,
        long firstUncleanableOffset,
        long cleanBytes,
        long dirtyBytes,
        long compactionDelayMs) {

    /** Its first dirty batch is older than {@code max.compaction.lag.ms}, by {@link #compactionDelayMs}. */
    boolean overdue() {
        return compactionDelayMs > 0;
    }

    double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0 : (double) dirtyBytes / total;
    }

    boolean shouldClean() {
        return dirtyBytes > 0 && (overdue() || dirtyRatio() >= target.settings().minCleanableDirtyRatio());
    }

    /** {@code checkpointed}: the first dirty offset from the checkpoint, or -1; trusted only within the log. */
    static CleaningCandidate of(CleanableLog target, long checkpointed, long nowMs) throws IOException {
        UnifiedLog log = target.log();
        CleanerSettings settings = target.settings();
        long logStart = log.logStartOffset();
        long firstDirty = checkpointed < logStart || checkpointed > log.logEndOffset() ? logStart : checkpointed;
        List<SegmentInfo> segments = log.compaction().inactiveSegments();
        // As Kafka: never past the last stable offset, so that an undecided transaction's records (which may yet be
        // aborted) never make the cleaner drop an earlier record of their key.
        long safeEnd = Math.min(log.transactions().lastStableOffset(), log.recoveryPoint());
        long firstUncleanable = segments.isEmpty()
                ? firstDirty
                : segments.get(segments.size() - 1).nextOffset();
        for (SegmentInfo s : segments) {
            boolean tooRecent =
                    settings.minCompactionLagMs() > 0 && s.maxTimestamp() > nowMs - settings.minCompactionLagMs();
            if (s.nextOffset() > safeEnd || tooRecent) {
                firstUncleanable = s.baseOffset();
                break;
            }
        }
        long clean = 0;
        long dirty = 0;
        SegmentInfo firstDirtySegment = null;
        for (SegmentInfo s : segments) {
            if (s.baseOffset() >= firstUncleanable) {
                break;
            }
            if (s.nextOffset() <= firstDirty) {
                clean += s.sizeInBytes();
            } else {
                dirty += s.sizeInBytes();
                if (firstDirtySegment == null) {
                    firstDirtySegment = s;
                }
            }
        }
        long delayMs = 0;
        if (firstDirtySegment != null && settings.maxCompactionLagMs() < Long.MAX_VALUE) {
            long first = log.compaction().firstBatchTimestamp(firstDirtySegment.baseOffset());
            delayMs = first < 0 ? 0 : Math.max(0, nowMs - settings.maxCompactionLagMs() - first);
        }
        return new CleaningCandidate(target, firstDirty, Math.max(firstDirty, firstUncleanable), clean, dirty, delayMs);
    }
}
