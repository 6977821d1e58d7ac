package io.piste.storage.cleaner;

/**
 * The topic configs the cleaner reads for one log, Kafka's names: whether {@code cleanup.policy} holds
 * {@code compact}, {@code min.cleanable.dirty.ratio}, {@code min.compaction.lag.ms}, {@code max.compaction.lag.ms},
 * {@code delete.retention.ms}, {@code segment.bytes}, {@code max.message.bytes} and {@code file.delete.delay.ms}.
 * Built by the broker from the topic's configs.
 */
public record CleanerSettings(
        boolean compact,
        double minCleanableDirtyRatio,
        long minCompactionLagMs,
        long maxCompactionLagMs,
        long deleteRetentionMs,
        int segmentBytes,
        int maxMessageBytes,
        long fileDeleteDelayMs) {

    /** Kafka's defaults, compacted. */
    public static CleanerSettings compactedDefaults() {
        return new CleanerSettings(true, 0.5, 0, Long.MAX_VALUE, 86_400_000L, 1 << 30, 1_048_588, 60_000L);
    }
}
