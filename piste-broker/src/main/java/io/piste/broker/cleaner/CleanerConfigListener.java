package io.piste.broker.cleaner;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.LogManager;
import io.piste.storage.cleaner.LogCleaner;
import java.io.IOException;

/**
 * The metadata listener once the cleaner runs: every change goes to the {@link LogManager} first, and a change of the
 * dynamic broker configs then hands the cleaner its {@code log.cleaner.*} configs as the log manager now has them.
 */
public final class CleanerConfigListener implements MetadataListener {
    private final LogManager logs;
    private final LogCleaner cleaner;

    public CleanerConfigListener(LogManager logs, LogCleaner cleaner) {
        this.logs = logs;
        this.cleaner = cleaner;
    }

    @Override
    public void onTopicCreated(TopicImage topic) throws IOException {
        logs.onTopicCreated(topic);
    }

    @Override
    public void onTopicDeleted(TopicImage topic) throws IOException {
        logs.onTopicDeleted(topic);
    }

    @Override
    public void onPartitionsAdded(TopicImage topic, int previousCount) throws IOException {
        logs.onPartitionsAdded(topic, previousCount);
    }

    @Override
    public void onConfigsChanged(TopicImage topic) {
        logs.onConfigsChanged(topic);
    }

    @Override
    public void onBrokerConfigsChanged(MetadataImage image) {
        logs.onBrokerConfigsChanged(image);
        cleaner.reconfigure(CompactedTopics.cleanerConfig(logs.brokerConfigs()));
    }
}
