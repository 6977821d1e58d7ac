package io.piste.broker.group;

import io.piste.broker.config.BrokerConfig;

/**
 * The group coordinator's settings, under Kafka's broker config names.
 *
 * @param initialRebalanceDelayMs {@code group.initial.rebalance.delay.ms}: how long the first rebalance of an empty
 *                                group waits for more members (Kafka: 3000)
 * @param minSessionTimeoutMs     {@code group.min.session.timeout.ms} (Kafka: 6000)
 * @param maxSessionTimeoutMs     {@code group.max.session.timeout.ms} (Kafka: 1800000)
 * @param offsetMetadataMaxBytes  {@code offset.metadata.max.bytes} (Kafka: 4096)
 * @param offsetsTopicPartitions  {@code offsets.topic.num.partitions} (Kafka: 50)
 * @param offsetsRetentionMs      {@code offsets.retention.minutes} in ms: how long the offsets of a group without
 *                                members are kept (Kafka: 7 days)
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms} (Kafka: 600000)
 */
public record GroupConfig(
        int initialRebalanceDelayMs,
        int minSessionTimeoutMs,
        int maxSessionTimeoutMs,
        int offsetMetadataMaxBytes,
        int offsetsTopicPartitions,
        long offsetsRetentionMs,
        long offsetsRetentionCheckIntervalMs) {

    public static final GroupConfig KAFKA_DEFAULTS =
            new GroupConfig(3000, 6000, 1_800_000, 4096, 50, 7 * 24 * 60 * 60 * 1000L, 600_000L);

    /** The settings in the broker's config. */
    public static GroupConfig from(BrokerConfig config) {
        return new GroupConfig(
                config.getInt("group.initial.rebalance.delay.ms"),
                config.getInt("group.min.session.timeout.ms"),
                config.getInt("group.max.session.timeout.ms"),
                config.getInt("offset.metadata.max.bytes"),
                config.getInt("offsets.topic.num.partitions"),
                config.getInt("offsets.retention.minutes") * 60_000L,
                config.getLong("offsets.retention.check.interval.ms"));
    }
}
