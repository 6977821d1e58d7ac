package io.piste.broker.metadata;

import java.util.List;

/**
 * Where a partition lives as one node reads the image: a cluster's partitions have their state in the image
 * ({@link MetadataImage#partitions}); the single node's have none and are all its own, led by it at epoch 0. The one
 * place that tells the two apart, so that the log manager, the request handlers and Metadata agree. Stateless.
 */
public final class Assignments {

    private Assignments() {}

    /**
     * Partition {@code index} of {@code topic} as node {@code self} sees it: its state in the image, or, on a single
     * node (whose image has none), one replica, {@code self}, leading at epoch 0. Null if the topic has no such
     * partition, or (in a cluster) no state for it: this node then claims nothing.
     */
    public static PartitionImage partition(MetadataImage image, TopicImage topic, int index, int self) {
        if (index < 0 || index >= topic.partitionCount()) {
            return null;
        }
        List<PartitionImage> assigned = image.partitions(topic.topicId());
        if (assigned.isEmpty()) {
            return isCluster(image) ? null : PartitionImage.initial(List.of(self));
        }
        return index < assigned.size() ? assigned.get(index) : null;
    }

    /** Whether node {@code self} holds a replica of partition {@code index} of {@code topic}. */
    public static boolean isReplica(MetadataImage image, TopicImage topic, int index, int self) {
        PartitionImage partition = partition(image, topic, index, self);
        return partition != null && partition.replicas().contains(self);
    }

    /** Whether node {@code self} leads partition {@code index} of {@code topic} now. */
    public static boolean leads(MetadataImage image, TopicImage topic, int index, int self) {
        List<PartitionImage> assigned = image.partitions(topic.topicId());
        if (assigned.isEmpty()) {
            return !isCluster(image) && index >= 0 && index < topic.partitionCount();
        }
        return index >= 0 && index < assigned.size() && assigned.get(index).leader() == self;
    }

    /** Whether {@code replica} is in the ISR of partition {@code index} of {@code topic}; false without a state. */
    public static boolean inIsr(MetadataImage image, TopicImage topic, int index, int replica) {
        List<PartitionImage> states = image.partitions(topic.topicId());
        return index >= 0 && index < states.size() && states.get(index).isr().contains(replica);
    }

    /** Whether the image is a cluster's: brokers registered through the metadata quorum. */
    public static boolean isCluster(MetadataImage image) {
        return !image.brokers().isEmpty();
    }
}
