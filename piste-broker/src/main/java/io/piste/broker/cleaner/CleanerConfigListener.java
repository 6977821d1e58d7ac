package io.piste.broker.cleaner;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.LogManager;
import io.piste.storage.cleaner.LogCleaner;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata listener once the cleaner runs: every change goes to the {@link LogManager} first, and a change of the
 * dynamic broker configs then hands the cleaner its {@code log.cleaner.*} configs as the log manager now has them.
 * The cleaner takes them on a thread of its own: a new thread count or buffer size waits for running passes to stop
 * (up to seconds), and the change arrives on the thread that applied the config change, which can be a network event
 * loop. One thread, so changes apply in order; it ends when idle, so a stopped broker leaves none behind.
 */
public final class CleanerConfigListener implements MetadataListener {
    private static final Logger LOG = LoggerFactory.getLogger(CleanerConfigListener.class);
    private final LogManager logs;
    private final LogCleaner cleaner;
    private final ThreadPoolExecutor reconfigurer;

    public CleanerConfigListener(LogManager logs, LogCleaner cleaner) {
        this.logs = logs;
        this.cleaner = cleaner;
        this.reconfigurer = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "piste-cleaner-reconfigure");
            t.setDaemon(true);
            return t;
        });
        reconfigurer.allowCoreThreadTimeOut(true);
    }

    @Override
    public void onTopicCreated(TopicImage topic, MetadataImage image) throws IOException {
        logs.onTopicCreated(topic, image);
    }

    @Override
    public void onTopicDeleted(TopicImage topic) throws IOException {
        logs.onTopicDeleted(topic);
    }

    @Override
    public void onPartitionsAdded(TopicImage topic, int previousCount, MetadataImage image) throws IOException {
        logs.onPartitionsAdded(topic, previousCount, image);
    }

    @Override
    public void onPartitionStatesChanged(TopicImage topic, MetadataImage image) {
        logs.onPartitionStatesChanged(topic, image);
    }

    @Override
    public void onConfigsChanged(TopicImage topic) {
        logs.onConfigsChanged(topic);
    }

    @Override
    public void onBrokerConfigsChanged(MetadataImage image) {
        logs.onBrokerConfigsChanged(image);
        var next = CompactedTopics.cleanerConfig(logs.brokerConfigs());
        reconfigurer.execute(() -> {
            try {
                cleaner.reconfigure(next);
            } catch (RuntimeException e) {
                LOG.error("Cleaner could not take the new log.cleaner.* configs {}", next, e);
            }
        });
    }
}
