package io.piste.cluster.controller;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.time.Duration;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Kafka's leader election settings of the active controller: {@code auto.leader.rebalance.enable}, {@code
 * leader.imbalance.check.interval.seconds} and {@code leader.imbalance.per.broker.percentage} for the automatic
 * preferred leader rebalance ({@link LeaderRebalance}), and the broker's {@code unclean.leader.election.enable}, the
 * default of the topic config of the same name, and its {@code min.insync.replicas}, below which in-sync replicas
 * that leave become eligible leader replicas (KIP-966).
 */
public record ElectionSettings(
        boolean autoLeaderRebalance,
        Duration imbalanceCheckInterval,
        int imbalancePercentage,
        boolean uncleanDefault,
        int minInsyncReplicasDefault) {

    /** Kafka's defaults: rebalance every 300 s past 10 %, no unclean election, min.insync.replicas 1. */
    public static final ElectionSettings DEFAULTS = new ElectionSettings(true, Duration.ofSeconds(300), 10, false, 1);

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
        String value = configured(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, topic, image, nodeId);
        return value == null ? uncleanDefault : Boolean.parseBoolean(value.trim());
    }

    /**
     * The topic's {@code min.insync.replicas}, else the cluster-wide dynamic one, else this node's static one (a bad
     * value counts as 1). Not a node's own dynamic value: which replicas are eligible must not depend on which node
     * is the active controller. Kafka's KIP-966 likewise reads only the topic's and the cluster's.
     */
    int minInsyncReplicas(TopicImage topic, MetadataImage image) {
        String name = TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG;
        String value = topic.configs().get(name);
        if (value == null) {
            value = image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT).get(name);
        }
        try {
            return value == null ? minInsyncReplicasDefault : Math.max(1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static String configured(String name, TopicImage topic, MetadataImage image, int nodeId) {
        String value = topic.configs().get(name);
        if (value == null) {
            value = image.brokerConfigs(Integer.toString(nodeId)).get(name);
        }
        if (value == null) {
            value = image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT).get(name);
        }
        return value;
    }
}
