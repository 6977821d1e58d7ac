package io.piste.broker.cleaner;

import io.piste.broker.partition.LogManager;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.cleaner.CleanableLog;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.cleaner.UnopenedLog;
import io.piste.storage.log.UnifiedLog;
import java.util.function.Consumer;

/**
 * The logs of compacted topics as the cleaner lists them each round, with their topics' settings as last applied
 * (AlterConfigs included): the open ones, and those not opened since the start, which the cleaner opens only if
 * their files say they must be cleaned.
 */
final class CompactedLogs implements LogCleaner.LogSource {
    private final LogManager logs;

    CompactedLogs(LogManager logs) {
        this.logs = logs;
    }

    @Override
    public void forEach(Consumer<CleanableLog> action) {
        logs.forEachOpenedLog(opened -> {
            if (opened.topic() == null || !opened.log().config().cleanup().compact()) {
                return;
            }
            CleanerSettings settings = CompactedTopics.settings(
                    logs.brokerConfigs(), opened.topic().configs());
            action.accept(new CleanableLog(
                    new TopicPartitionKey(opened.topic().name(), opened.index()), opened.log(), settings));
        });
    }

    @Override
    public void forEachUnopened(Consumer<UnopenedLog> action) {
        logs.forEachUnopenedLog(closed -> {
            if (!CompactedTopics.isCompacted(
                    logs.brokerConfigs(), closed.topic().configs())) {
                return;
            }
            TopicPartitionKey key = new TopicPartitionKey(closed.topic().name(), closed.index());
            CleanerSettings settings = CompactedTopics.settings(
                    logs.brokerConfigs(), closed.topic().configs());
            action.accept(new UnopenedLog(key, closed.dir(), closed.logStartOffset(), settings, () -> {
                UnifiedLog log = closed.open();
                return log == null ? null : new CleanableLog(key, log, settings);
            }));
        });
    }
}
