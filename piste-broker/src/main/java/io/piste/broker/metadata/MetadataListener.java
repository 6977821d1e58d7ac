package io.piste.broker.metadata;

/** Told of each applied metadata change, after it is durable, on the thread that made the change. */
public interface MetadataListener {

    void onTopicCreated(TopicImage topic) throws java.io.IOException;

    void onTopicDeleted(TopicImage topic) throws java.io.IOException;

    void onPartitionsAdded(TopicImage topic, int previousCount) throws java.io.IOException;

    void onConfigsChanged(TopicImage topic);

    /** The dynamic broker configs of some scope changed; {@code image} is the image that holds the change. */
    void onBrokerConfigsChanged(MetadataImage image);
}
