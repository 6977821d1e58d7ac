package io.piste.storage.cleaner;

/**
 * A read-only snapshot of the cleaner's statistics, named after Kafka's LogCleaner and LogCleanerManager gauges, for
 * whoever publishes metrics. "Last pass" is per cleaner thread, as in Kafka, over the threads running now.
 *
 * @param maxBufferUtilizationPercent max-buffer-utilization-percent: the fullest dedupe map of the threads' last passes
 * @param cleanerRecopyPercent cleaner-recopy-percent: bytes written over bytes read by the last passes, averaged over
 *     the threads, in percent
 * @param maxCleanTimeSecs max-clean-time-secs: the longest of the threads' last passes
 * @param maxCompactionDelaySecs max-compaction-delay-secs: at the last choice, how far past
 *     {@code max.compaction.lag.ms} the most overdue log was (0 if none was)
 * @param deadThreadCount DeadThreadCount: cleaner threads that ended on an error they did not catch
 * @param maxDirtyPercent max-dirty-percent: the dirty ratio of the log chosen at the last choice (0 if none was)
 * @param timeSinceLastRunMs time-since-last-run-ms: since a cleaner thread last finished a round
 * @param uncleanablePartitionsCount uncleanable-partitions-count: partitions whose last pass failed (Piste tries them
 *     again each round, where Kafka stops until a restart)
 * @param uncleanableBytes uncleanable-bytes: the dirty bytes of those partitions when their pass failed
 * @param passes completed passes since start
 * @param failures failed passes since start
 */
public record CleanerStats(
        int maxBufferUtilizationPercent,
        int cleanerRecopyPercent,
        long maxCleanTimeSecs,
        long maxCompactionDelaySecs,
        int deadThreadCount,
        int maxDirtyPercent,
        long timeSinceLastRunMs,
        int uncleanablePartitionsCount,
        long uncleanableBytes,
        long passes,
        long failures) {}
