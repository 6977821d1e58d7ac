package io.piste.broker.cleaner;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.config.DynamicBrokerConfigs;
import io.piste.broker.config.TopicConfigs;
import io.piste.broker.partition.LogManager;
import io.piste.storage.cleaner.CleanerConfig;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.LogCleaner;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The cleaner's view of the topic configs: whether a topic is compacted ({@code cleanup.policy} holds
 * {@code compact}, as the topic's {@code LogConfig} reads it: one parse for retention and the cleaner) and its
 * {@link CleanerSettings}, read from the topic's overrides over the broker defaults; and the broker's
 * {@link LogCleaner} over the open logs, deleting the segments it replaces through retention's deleter. Stateless.
 */
public final class CompactedTopics {

    private CompactedTopics() {}

    /** Whether {@code cleanup.policy} (override or broker default) holds {@code compact}. */
    public static boolean isCompacted(DynamicBrokerConfigs broker, Map<String, String> overrides) {
        return TopicConfigs.logConfig(broker, overrides).cleanup().compact();
    }

    public static CleanerSettings settings(DynamicBrokerConfigs broker, Map<String, String> overrides) {
        return new CleanerSettings(
                Double.parseDouble(value(broker, overrides, TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG)),
                Long.parseLong(value(broker, overrides, TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG)),
                Long.parseLong(value(broker, overrides, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG)),
                Long.parseLong(value(broker, overrides, TopicConfig.DELETE_RETENTION_MS_CONFIG)),
                Integer.parseInt(value(broker, overrides, segmentBytesName(overrides))),
                Integer.parseInt(value(broker, overrides, TopicConfig.MAX_MESSAGE_BYTES_CONFIG)));
    }

    /** Kafka's {@code internal.segment.bytes} (small segments for tests) wins over segment.bytes when set. */
    private static String segmentBytesName(Map<String, String> overrides) {
        return overrides.containsKey("internal.segment.bytes")
                ? "internal.segment.bytes"
                : TopicConfig.SEGMENT_BYTES_CONFIG;
    }

    private static String value(DynamicBrokerConfigs broker, Map<String, String> overrides, String name) {
        return TopicConfigs.effectiveValue(broker, overrides, name);
    }

    /** The broker's cleaner configs ({@code log.cleaner.*}), dynamic ones included. */
    public static CleanerConfig cleanerConfig(DynamicBrokerConfigs config) {
        return new CleanerConfig(
                config.getBoolean("log.cleaner.enable"),
                config.getInt("log.cleaner.threads"),
                config.getLong("log.cleaner.dedupe.buffer.size"),
                config.getInt("log.cleaner.io.buffer.size"),
                config.getDouble("log.cleaner.io.buffer.load.factor"),
                config.getDouble("log.cleaner.io.max.bytes.per.second"),
                config.getLong("log.cleaner.backoff.ms"));
    }

    /** A cleaner over the logs of compacted topics of {@code logs}, open or not (not started). */
    public static LogCleaner newLogCleaner(BrokerConfig config, LogManager logs) {
        return new LogCleaner(
                cleanerConfig(logs.brokerConfigs()),
                new KafkaCleanerCodec(),
                config.logDirs(),
                new CompactedLogs(logs),
                logs.retention().segmentDeleter(),
                System::currentTimeMillis);
    }
}
