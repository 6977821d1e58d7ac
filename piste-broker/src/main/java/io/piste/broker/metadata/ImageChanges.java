package io.piste.broker.metadata;

import java.io.IOException;

/**
 * Tells a {@link MetadataListener} what changed between two images, as the single node's controller tells it of
 * each change it makes: topics created, deleted, grown and reconfigured, partitions' leaders and epochs, and broker
 * configs. For a node that learns
 * of changes by applying a quorum's log, where one applied entry may be any change made anywhere. Stateless.
 */
public final class ImageChanges {

    private ImageChanges() {}

    /** Calls {@code listener} for each difference from {@code before} to {@code after}, topics first. */
    public static void tell(MetadataListener listener, MetadataImage before, MetadataImage after) throws IOException {
        if (before.topicsById != after.topicsById) { // the same map when the change touched no topic
            tellTopics(listener, before, after);
        }
        if (before.partitions != after.partitions) { // the same map when the change touched no partition
            for (TopicImage topic : after.topics()) {
                if (before.partitions(topic.topicId()) != after.partitions(topic.topicId())) {
                    listener.onPartitionStatesChanged(topic, after);
                }
            }
        }
        if (!before.allBrokerConfigs().equals(after.allBrokerConfigs())) {
            listener.onBrokerConfigsChanged(after);
        }
    }

    private static void tellTopics(MetadataListener listener, MetadataImage before, MetadataImage after)
            throws IOException {
        for (TopicImage old : before.topics()) {
            if (after.topic(old.topicId()) == null) {
                listener.onTopicDeleted(old);
            }
        }
        for (TopicImage topic : after.topics()) {
            TopicImage old = before.topic(topic.topicId());
            if (old == null) {
                listener.onTopicCreated(topic, after);
                continue;
            }
            if (topic.partitionCount() > old.partitionCount()) {
                listener.onPartitionsAdded(topic, old.partitionCount(), after);
            }
            if (!topic.configs().equals(old.configs())) {
                listener.onConfigsChanged(topic);
            }
        }
    }
}
