package io.piste.broker.monitoring;

import io.piste.broker.config.TopicConfigs;
import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.LogManager;
import java.util.function.Supplier;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The replica manager's counts, from the metadata and the partitions' state now. A single node is the only replica and
 * the leader of every partition it can serve: none is under-replicated (replication factor 1), one that cannot serve
 * is offline and leads nothing, and one whose topic asks for {@code min.insync.replicas} above its in-sync replicas
 * (1 when its log opened, else 0) is under min ISR. A cluster node counts the partitions it holds, and of those it
 * leads (as Kafka's leader reports them) the ones whose ISR, from the image, is smaller than their replicas
 * (under-replicated) or than their topic's {@code min.insync.replicas}; and the active controller's counts
 * ({@link ControllerCounts}). Read by the Prometheus collector and the MBeans alike.
 * Thread-safe.
 */
final class ReplicaCounts {

    private final LogManager logManager;
    private final ControllerCounts controllerCounts;
    private final Supplier<MetadataImage> image;
    private final int nodeId;

    ReplicaCounts(LogManager logManager, Controller controller) {
        this.logManager = logManager;
        this.controllerCounts = new ControllerCounts(controller);
        this.image = controller::image;
        this.nodeId = logManager.nodeId();
    }

    long partitions() {
        return logManager.partitionAndOfflineCounts()[0];
    }

    /**
     * This node's partitions that cannot serve; on the active controller of a cluster also every partition without
     * a leader (its replicas fenced or gone), which no other node counts, as Kafka's active controller does.
     */
    long offline() {
        return logManager.partitionAndOfflineCounts()[1] + controllerCounts.leaderless();
    }

    ControllerCounts controllerCounts() {
        return controllerCounts;
    }

    long leaders() {
        MetadataImage current = image.get();
        if (!Assignments.isCluster(current)) {
            long[] counts = logManager.partitionAndOfflineCounts();
            return counts[0] - counts[1];
        }
        long leaders = 0;
        for (TopicImage topic : current.topics()) {
            for (int i = 0; i < topic.partitionCount(); i++) {
                if (Assignments.leads(current, topic, i, nodeId) && !logManager.failedToOpen(topic.name(), i)) {
                    leaders++;
                }
            }
        }
        return leaders;
    }

    /** Of the partitions this node leads: those with fewer in-sync replicas than replicas (none on a single node). */
    long underReplicated() {
        long underReplicated = 0;
        MetadataImage current = image.get();
        for (TopicImage topic : current.topics()) {
            for (PartitionImage partition : current.partitions(topic.topicId())) {
                if (partition.leader() == nodeId
                        && partition.isr().size() < partition.replicas().size()) {
                    underReplicated++;
                }
            }
        }
        return underReplicated;
    }

    /** Of the partitions this node leads (in a cluster; a single node leads all its own). */
    long underMinIsr() {
        long underMinIsr = 0;
        MetadataImage current = image.get();
        for (TopicImage topic : current.topics()) {
            int minIsr = Integer.parseInt(TopicConfigs.effectiveValue(
                    logManager.brokerConfigs(), topic.configs(), TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
            for (int i = 0; i < topic.partitionCount(); i++) {
                if (!Assignments.leads(current, topic, i, nodeId)) {
                    continue;
                }
                PartitionImage state = Assignments.partition(current, topic, i, nodeId);
                int inSync = logManager.failedToOpen(topic.name(), i)
                        ? 0
                        : Assignments.isCluster(current) && state != null
                                ? state.isr().size()
                                : 1;
                if (inSync < minIsr) {
                    underMinIsr++;
                }
            }
        }
        return underMinIsr;
    }
}
