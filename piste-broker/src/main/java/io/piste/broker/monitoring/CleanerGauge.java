package io.piste.broker.monitoring;

import io.piste.storage.cleaner.CleanerStats;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The log cleaner's gauges under Kafka's names ({@code kafka.log:type=LogCleaner} and {@code type=LogCleanerManager}),
 * each read from one {@link CleanerStats} snapshot; the Prometheus name is what the Kafka JMX exporter's rules make
 * of the MBean name ({@code kafka_log_logcleaner_max_buffer_utilization_percent}). One table for both exports.
 */
enum CleanerGauge {
    MAX_BUFFER_UTILIZATION(
            "LogCleaner",
            "max-buffer-utilization-percent",
            "Fullest dedupe map of the cleaner threads' last passes, percent",
            CleanerStats::maxBufferUtilizationPercent),
    CLEANER_RECOPY(
            "LogCleaner",
            "cleaner-recopy-percent",
            "Bytes written over bytes read by the last passes, percent",
            CleanerStats::cleanerRecopyPercent),
    MAX_CLEAN_TIME(
            "LogCleaner", "max-clean-time-secs", "Longest of the threads' last passes", CleanerStats::maxCleanTimeSecs),
    MAX_COMPACTION_DELAY(
            "LogCleaner",
            "max-compaction-delay-secs",
            "How far past max.compaction.lag.ms the most overdue log was at the last choice",
            CleanerStats::maxCompactionDelaySecs),
    DEAD_THREADS(
            "LogCleaner",
            "DeadThreadCount",
            "Cleaner threads ended by an error they did not catch",
            CleanerStats::deadThreadCount),
    MAX_DIRTY(
            "LogCleanerManager",
            "max-dirty-percent",
            "Dirty ratio of the log chosen at the last choice, percent",
            CleanerStats::maxDirtyPercent),
    TIME_SINCE_LAST_RUN(
            "LogCleanerManager",
            "time-since-last-run-ms",
            "Since a cleaner thread last finished a round",
            CleanerStats::timeSinceLastRunMs),
    UNCLEANABLE_PARTITIONS(
            "LogCleanerManager",
            "uncleanable-partitions-count",
            "Partitions whose last cleaning failed",
            CleanerStats::uncleanablePartitionsCount),
    UNCLEANABLE_BYTES(
            "LogCleanerManager",
            "uncleanable-bytes",
            "Dirty bytes of the partitions whose last cleaning failed",
            CleanerStats::uncleanableBytes);

    private final String type;
    private final String name;
    private final String help;
    private final ToLongFunction<CleanerStats> value;

    CleanerGauge(String type, String name, String help, ToLongFunction<CleanerStats> value) {
        this.type = type;
        this.name = name;
        this.help = help;
        this.value = value;
    }

    String mbeanName() {
        return "kafka.log:type=" + type + ",name=" + name;
    }

    String prometheusName() {
        return ("kafka_log_" + type + "_" + name).toLowerCase(Locale.ROOT).replace('-', '_');
    }

    String help() {
        return help;
    }

    long value(CleanerStats stats) {
        return value.applyAsLong(stats);
    }
}
