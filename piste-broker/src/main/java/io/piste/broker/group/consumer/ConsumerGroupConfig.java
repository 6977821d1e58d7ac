package io.piste.broker.group.consumer;

import io.piste.broker.config.BrokerConfig;
import java.util.List;

/**
 * The consumer group protocol's broker settings, under Kafka's names.
 *
 * @param sessionTimeoutMs    {@code group.consumer.session.timeout.ms}: a member that has not heartbeated for this
 *                            long is removed and its partitions reassigned (Kafka: 45000)
 * @param heartbeatIntervalMs {@code group.consumer.heartbeat.interval.ms}: how often members heartbeat, told to them
 *                            in every answer (Kafka: 5000)
 * @param assignors           {@code group.consumer.assignors}: the server assignors offered, the first the default
 *                            (Kafka: uniform, range)
 * @param maxSize             {@code group.consumer.max.size}: members a group may have; one more joining gets
 *                            GROUP_MAX_SIZE_REACHED (Kafka: Integer.MAX_VALUE)
 * @param changingHeartbeatIntervalMs {@code group.consumer.changing.heartbeat.interval.ms}, Piste's own: the
 *                            interval told to members while their group is changing (see
 *                            {@link #heartbeatIntervalMs(boolean)}); at most {@code heartbeatIntervalMs} is used
 */
public record ConsumerGroupConfig(
        int sessionTimeoutMs,
        int heartbeatIntervalMs,
        List<String> assignors,
        int maxSize,
        int changingHeartbeatIntervalMs) {

    public static final ConsumerGroupConfig KAFKA_DEFAULTS = new ConsumerGroupConfig(
            45_000,
            5_000,
            List.of(UniformAssignor.NAME, RangeAssignor.NAME),
            Integer.MAX_VALUE,
            BrokerConfig.GROUP_CONSUMER_CHANGING_HEARTBEAT_INTERVAL_MS_DEFAULT);

    public ConsumerGroupConfig {
        assignors = List.copyOf(assignors);
    }

    /** The settings in the broker's config. */
    public static ConsumerGroupConfig from(BrokerConfig config) {
        return new ConsumerGroupConfig(
                config.getInt("group.consumer.session.timeout.ms"),
                config.getInt("group.consumer.heartbeat.interval.ms"),
                config.getList("group.consumer.assignors"),
                config.getInt("group.consumer.max.size"),
                config.getInt("group.consumer.changing.heartbeat.interval.ms"));
    }

    /**
     * The heartbeat interval to tell a member. A member learns of a change in its group (a member joining or
     * leaving, and what that means for its partitions) only from the answer to its next heartbeat, and a change
     * often takes several steps (partitions revoked by one member before another may have them) or comes with
     * others (members of one deployment start together). So while the group is changing, members heartbeat every
     * {@code changingHeartbeatIntervalMs}; once it has been settled for a whole {@code heartbeatIntervalMs}, at
     * Kafka's pace again.
     */
    public int heartbeatIntervalMs(boolean groupChanging) {
        return groupChanging ? Math.min(changingHeartbeatIntervalMs, heartbeatIntervalMs) : heartbeatIntervalMs;
    }
}
