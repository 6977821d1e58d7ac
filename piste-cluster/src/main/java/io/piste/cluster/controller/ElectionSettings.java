package io.piste.cluster.controller;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.time.Duration;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Kafka's leader election settings of the active controller: {@code auto.leader.rebalance.enable}, {@code
 * leader.imbalance.check.interval.seconds} and {@code leader.imbalance.per.broker.percentage} for the automatic
 * preferred leader rebalance ({@link LeaderRebalance}), and the broker's {@code unclean.leader.election.enable}, the
 * default of the topic config of the same name.
 */
public record ElectionSettings(
        boolean autoLeaderRebalance, Duration imbalanceCheckInterval, int imbalancePercentage, boolean uncleanDefault) {

    /** Kafka's defaults: rebalance every 300 s past 10 %, no unclean election. */
    public static final ElectionSettings DEFAULTS = new ElectionSettings(true, Duration.ofSeconds(300), 10, false);

    public ElectionSettings {
        if (imbalanceCheckInterval.toMillis() < 1 || imbalancePercentage < 0) {
            throw new IllegalArgumentException("leader.imbalance.check.interval.seconds must be positive and "
                    + "leader.imbalance.per.broker.percentage at least 0");
        }
    }

    /**
     * Whether the topic's partitions may get an out-of-sync leader: its own {@code unclean.leader.election.enable},
     * else the dynamic one of this node or of the cluster, else this node's static one.
     */
    boolean uncleanAllowed(TopicImage topic, MetadataImage image, int nodeId) {
        String name = TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG;
        String value = topic.configs().get(name);
        if (value == null) {
            value = image.brokerConfigs(Integer.toString(nodeId)).get(name);
        }
        if (value == null) {
            value = image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT).get(name);
        }
        return value == null ? uncleanDefault : Boolean.parseBoolean(value.trim());
    }
}
