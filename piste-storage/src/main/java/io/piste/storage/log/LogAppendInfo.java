package io.piste.storage.log;

/**
 * Result of {@link UnifiedLog#appendAsLeader}: the offsets given to the batches, their largest timestamp, the
 * append time when the log uses LogAppendTime ({@code -1} otherwise), and whether the append was a duplicate of
 * an earlier one (then the offsets are the original ones and nothing was written). For a follower's append
 * ({@link LogReplica#appendAsFollower}) the offsets are the batches' own; one of no batches is
 * {@link #nothingAppended}.
 */
public record LogAppendInfo(
        long firstOffset,
        long lastOffset,
        long maxTimestamp,
        long logAppendTimeMs,
        long logStartOffset,
        int recordCount,
        boolean duplicate) {

    /** An append of no batches at {@code logEndOffset}: firstOffset is the log end, lastOffset the one before. */
    public static LogAppendInfo nothingAppended(long logEndOffset, long logStartOffset) {
        return new LogAppendInfo(logEndOffset, logEndOffset - 1, -1, -1, logStartOffset, 0, false);
    }

    /** True if nothing was written: no batches were given, or the batches were a duplicate. */
    public boolean appendedNothing() {
        return duplicate || lastOffset < firstOffset;
    }
}
