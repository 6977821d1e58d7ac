package io.piste.storage.log;

/**
 * Result of {@link UnifiedLog#appendAsLeader}: the offsets given to the batches, their largest timestamp, the
 * append time when the log uses LogAppendTime ({@code -1} otherwise), and whether the append was a duplicate of
 * an earlier one (then the offsets are the original ones and nothing was written).
 */
public record LogAppendInfo(
        long firstOffset,
        long lastOffset,
        long maxTimestamp,
        long logAppendTimeMs,
        long logStartOffset,
        int recordCount,
        boolean duplicate) {}
