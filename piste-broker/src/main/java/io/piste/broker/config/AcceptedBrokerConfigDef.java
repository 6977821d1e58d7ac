package io.piste.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The definitions of the keys a Kafka {@code server.properties} carries that Piste accepts without acting on them
 * (see {@link NotUsedBrokerConfigs}), so that such a file starts Piste unchanged. Part of {@link BrokerConfigDef}.
 * Stateless.
 */
final class AcceptedBrokerConfigDef {

    private AcceptedBrokerConfigDef() {}

    /** Keys a Kafka {@code server.properties} carries that Piste accepts without acting on them (yet). */
    static void define(ConfigDef def) {
        def.define(
                        "log.cleaner.delete.retention.ms",
                        LONG,
                        24 * 60 * 60 * 1000L,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.DELETE_RETENTION_MS_DOC)
                .define(
                        "log.cleaner.min.compaction.lag.ms",
                        LONG,
                        0L,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.MIN_COMPACTION_LAG_MS_DOC)
                .define(
                        "log.cleaner.max.compaction.lag.ms",
                        LONG,
                        Long.MAX_VALUE,
                        atLeast(1),
                        MEDIUM,
                        TopicConfig.MAX_COMPACTION_LAG_MS_DOC)
                .define(
                        "log.cleaner.min.cleanable.ratio",
                        DOUBLE,
                        0.5,
                        between(0, 1),
                        MEDIUM,
                        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_DOC)
                .define(
                        "share.coordinator.state.topic.replication.factor",
                        SHORT,
                        (short) 3,
                        atLeast(1),
                        HIGH,
                        "Replication factor for the share-group state topic.")
                .define(
                        "share.coordinator.state.topic.min.isr",
                        SHORT,
                        (short) 2,
                        atLeast(1),
                        HIGH,
                        "The minimum ISR for the share-group state topic.")
                .define("num.replica.fetchers", INT, 1, HIGH, "Number of fetcher threads used to replicate records.")
                .define(
                        "inter.broker.listener.name",
                        STRING,
                        null,
                        MEDIUM,
                        "Name of listener used for communication between brokers.")
                .define(
                        "metadata.log.dir",
                        STRING,
                        null,
                        HIGH,
                        "Where the cluster metadata log is placed; if not set, the first log directory.");
    }
}
