package io.piste.broker.partition;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.config.DynamicBrokerConfigs;
import io.piste.broker.config.TopicConfigs;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.metrics.BrokerTopicMetrics;
import io.piste.storage.log.FileChannelFactory;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Opens one partition's log and builds its {@link Partition} (with its topic's meters), for {@link LogManager}.
 * Thread-safe: each open touches only its own partition's directory.
 */
final class PartitionOpener {

    private final BrokerConfig config;
    private final LogFlusher flusher;
    private final BrokerTopicMetrics topicMetrics;
    private final Supplier<DynamicBrokerConfigs> brokerConfigs;

    PartitionOpener(
            BrokerConfig config,
            LogFlusher flusher,
            BrokerTopicMetrics topicMetrics,
            Supplier<DynamicBrokerConfigs> brokerConfigs) {
        this.config = config;
        this.flusher = flusher;
        this.topicMetrics = topicMetrics;
        this.brokerConfigs = brokerConfigs;
    }

    /** Opens the log, its files through {@code files} (a batch of new logs' are a {@link CreationSync}). */
    Partition open(
            TopicImage topic,
            int index,
            Path logDir,
            boolean clean,
            long recoveryPoint,
            long logStartOffset,
            FileChannelFactory files)
            throws IOException {
        String dirName = topic.name() + "-" + index;
        PartitionDirs.renameIfStale(logDir.resolve(dirName), topic);
        DynamicBrokerConfigs configs = brokerConfigs.get();
        UnifiedLog unifiedLog = UnifiedLog.open(
                logDir.resolve(dirName),
                TopicConfigs.logConfig(configs, topic.configs()),
                System::currentTimeMillis,
                clean,
                recoveryPoint,
                logStartOffset,
                files);
        unifiedLog.producerState().setMaxProducerIds(config.producerIdMaxPerPartition());
        Partition partition = new Partition(
                topic.name(),
                index,
                unifiedLog,
                flusher,
                config.logFlushOnAck(),
                flushIntervalMessages(configs, topic),
                topicMetrics.topic(topic.name()));
        partition.setMinInsyncReplicas(minInsyncReplicas(configs, topic));
        // Everything that survived recovery is in the log now; once flushed, a single replica's
        // high watermark is its log end, as for a Kafka leader that is its own ISR.
        try {
            unifiedLog.flush();
            unifiedLog.updateHighWatermark(unifiedLog.logEndOffset());
        } catch (IOException e) {
            // As a failed flush later on: offline with its high watermark unmoved until a restart recovers it;
            // the other partitions open and serve.
            partition.onFlushFailed(e);
        }
        PartitionDirs.writeIfMissing(unifiedLog.dir(), topic.topicId(), !CreationSync.defers(files));
        return partition;
    }

    /** The topic's min.insync.replicas, which acks=all produces check against the ISR (on a single node: 1). */
    static int minInsyncReplicas(DynamicBrokerConfigs configs, TopicImage topic) {
        return Integer.parseInt(
                TopicConfigs.effectiveValue(configs, topic.configs(), TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
    }

    static long flushIntervalMessages(DynamicBrokerConfigs configs, TopicImage topic) {
        return Long.parseLong(TopicConfigs.effectiveValue(configs, topic.configs(), "flush.messages"));
    }
}
