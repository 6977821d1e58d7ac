package io.piste.storage.cleaner;

/**
 * The topic configs the cleaner reads for one log beyond its {@code LogConfig} (which holds {@code cleanup.policy}
 * and {@code file.delete.delay.ms}), Kafka's names: {@code min.cleanable.dirty.ratio}, {@code min.compaction.lag.ms},
 * {@code max.compaction.lag.ms}, {@code delete.retention.ms}, {@code segment.bytes} and {@code max.message.bytes}.
 * Built by the broker from the topic's configs.
 */
public record CleanerSettings(
        double minCleanableDirtyRatio,
        long minCompactionLagMs,
        long maxCompactionLagMs,
        long deleteRetentionMs,
        int segmentBytes,
        int maxMessageBytes) {

    /** Kafka's defaults. */
    public static CleanerSettings compactedDefaults() {
        return new CleanerSettings(0.5, 0, Long.MAX_VALUE, 86_400_000L, 1 << 30, 1_048_588);
    }
}
