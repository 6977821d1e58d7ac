package io.piste.broker.metadata;

/**
 * Told of each applied metadata change, after it is durable, in order: a single node's on the thread that made the
 * change, a cluster node's on its publishing thread, after the image that holds the change is published (so the
 * image may show a partition this node leads before its log exists here).
 */
public interface MetadataListener {

    /** {@code image} is the image that holds the new topic, its partitions' assignments with it. */
    void onTopicCreated(TopicImage topic, MetadataImage image) throws java.io.IOException;

    void onTopicDeleted(TopicImage topic) throws java.io.IOException;

    /** {@code image} is the image that holds the new partitions, their assignments with them. */
    void onPartitionsAdded(TopicImage topic, int previousCount, MetadataImage image) throws java.io.IOException;

    /**
     * The leaders, epochs or in-sync replicas of some partitions of {@code topic} changed (a cluster's elections);
     * {@code image} holds the change.
     */
    void onPartitionStatesChanged(TopicImage topic, MetadataImage image);

    void onConfigsChanged(TopicImage topic);

    /** The dynamic broker configs of some scope changed; {@code image} is the image that holds the change. */
    void onBrokerConfigsChanged(MetadataImage image);
}
