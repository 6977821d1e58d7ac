package io.piste.broker.group.consumer;

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
 */
public record ConsumerGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, List<String> assignors,
                                  int maxSize) {

    public static final ConsumerGroupConfig KAFKA_DEFAULTS =
        new ConsumerGroupConfig(45_000, 5_000, List.of(UniformAssignor.NAME, RangeAssignor.NAME), Integer.MAX_VALUE);

    public ConsumerGroupConfig {
        assignors = List.copyOf(assignors);
    }
}
