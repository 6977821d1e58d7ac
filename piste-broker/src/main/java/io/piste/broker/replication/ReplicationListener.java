package io.piste.broker.replication;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.TopicImage;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * The metadata listener of a node that replicates: each change goes to the listener underneath (the log manager, which
 * opens and deletes the logs) first, then the {@link ReplicaManager} takes the partitions' new roles from the image.
 */
public final class ReplicationListener implements MetadataListener {

    private final MetadataListener logs;
    private final ReplicaManager replicas;
    private final Supplier<MetadataImage> image;

    /** @param image the image holding the change being told (the controller's current one) */
    public ReplicationListener(MetadataListener logs, ReplicaManager replicas, Supplier<MetadataImage> image) {
        this.logs = logs;
        this.replicas = replicas;
        this.image = image;
    }

    @Override
    public void onTopicCreated(TopicImage topic, MetadataImage image) throws IOException {
        logs.onTopicCreated(topic, image);
        replicas.apply(image);
    }

    @Override
    public void onTopicDeleted(TopicImage topic) throws IOException {
        logs.onTopicDeleted(topic);
        replicas.apply(image.get());
    }

    @Override
    public void onPartitionsAdded(TopicImage topic, int previousCount, MetadataImage image) throws IOException {
        logs.onPartitionsAdded(topic, previousCount, image);
        replicas.apply(image);
    }

    @Override
    public void onPartitionStatesChanged(TopicImage topic, MetadataImage image) {
        logs.onPartitionStatesChanged(topic, image);
        replicas.apply(image);
    }

    @Override
    public void onConfigsChanged(TopicImage topic) {
        logs.onConfigsChanged(topic);
    }

    @Override
    public void onBrokerConfigsChanged(MetadataImage image) {
        logs.onBrokerConfigsChanged(image);
    }
}
