package io.piste.broker.config;

import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_INTERVAL_MESSAGES_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_INTERVAL_MS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_SCHEDULER_INTERVAL_MS_CONFIG;
import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The definitions of the broker's log configs ({@code log.*}, {@code num.recovery.threads.per.data.dir}...): the
 * broker-wide defaults of the topic configs. Part of {@link BrokerConfigDef}. Stateless.
 */
final class BrokerLogConfigDef {

    private BrokerLogConfigDef() {}

    // message.downconversion.enable is deprecated (a no-op since Kafka 4.0) but still accepted by Kafka.
    @SuppressWarnings("deprecation")
    static void define(ConfigDef def) {
        def.define(
                        "log.segment.bytes",
                        INT,
                        1024 * 1024 * 1024,
                        atLeast(1024 * 1024),
                        HIGH,
                        "The maximum size of a single log file.")
                .define(
                        "log.roll.ms",
                        LONG,
                        null,
                        HIGH,
                        "The maximum time before a new log segment is rolled out (in milliseconds). If not set, the "
                                + "value in log.roll.hours is used.")
                .define(
                        "log.roll.hours",
                        INT,
                        24 * 7,
                        atLeast(1),
                        HIGH,
                        "The maximum time before a new log segment is rolled out (in hours), secondary to log.roll.ms.")
                .define(
                        "log.roll.jitter.ms",
                        LONG,
                        null,
                        HIGH,
                        "The maximum jitter to subtract from the roll time (in milliseconds). If not set, the value in "
                                + "log.roll.jitter.hours is used.")
                .define(
                        "log.roll.jitter.hours",
                        INT,
                        0,
                        atLeast(0),
                        HIGH,
                        "The maximum jitter to subtract from the roll time (in hours), secondary to "
                                + "log.roll.jitter.ms.")
                .define(
                        "log.retention.ms",
                        LONG,
                        null,
                        HIGH,
                        "The number of milliseconds to keep a log file before deleting it. If not set, the value in "
                                + "log.retention.minutes is used. If set to -1, no time limit is applied.")
                .define(
                        "log.retention.minutes",
                        INT,
                        null,
                        HIGH,
                        "The number of minutes to keep a log file before deleting it, secondary to log.retention.ms. "
                                + "If not set, the value in log.retention.hours is used.")
                .define(
                        "log.retention.hours",
                        INT,
                        24 * 7,
                        HIGH,
                        "The number of hours to keep a log file before deleting it, tertiary to log.retention.ms.")
                .define("log.retention.bytes", LONG, -1L, HIGH, "The maximum size of the log before deleting it.")
                .define(
                        "log.retention.check.interval.ms",
                        LONG,
                        5 * 60 * 1000L,
                        atLeast(1),
                        MEDIUM,
                        "The frequency in milliseconds that the log cleaner checks whether any log is eligible for "
                                + "deletion.")
                .define(
                        "log.cleanup.policy",
                        LIST,
                        TopicConfig.CLEANUP_POLICY_DELETE,
                        ValidList.in(TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.CLEANUP_POLICY_DELETE),
                        MEDIUM,
                        "The default cleanup policy for segments beyond the retention window.")
                .define(
                        "log.index.size.max.bytes",
                        INT,
                        10 * 1024 * 1024,
                        atLeast(4),
                        MEDIUM,
                        "The maximum size in bytes of the offset index.")
                .define(
                        "log.index.interval.bytes",
                        INT,
                        4096,
                        atLeast(0),
                        MEDIUM,
                        "The interval with which we add an entry to the offset index.")
                .define(
                        LOG_FLUSH_INTERVAL_MESSAGES_CONFIG,
                        LONG,
                        Long.MAX_VALUE,
                        atLeast(1),
                        HIGH,
                        "The number of messages accumulated on a log partition before messages are flushed to disk.")
                .define(
                        LOG_FLUSH_INTERVAL_MS_CONFIG,
                        LONG,
                        null,
                        HIGH,
                        "The maximum time in ms that a message in any topic is kept in memory before flushed to disk. "
                                + "If not set, the value in log.flush.scheduler.interval.ms is used.")
                .define(
                        LOG_FLUSH_SCHEDULER_INTERVAL_MS_CONFIG,
                        LONG,
                        Long.MAX_VALUE,
                        HIGH,
                        "The frequency in ms that the log flusher checks whether any log needs to be flushed to disk.")
                // Piste default 1 s, not Kafka's 60 s: recovery after a crash scans the log from this record,
                // so a stale one makes restart time grow with a minute of writes; writing it costs two small files.
                .define(
                        "producer.id.expiration.ms",
                        INT,
                        86400000,
                        atLeast(1),
                        LOW,
                        "The time in ms that a topic partition leader will wait before expiring producer IDs.")
                .define(
                        "producer.id.expiration.check.interval.ms",
                        INT,
                        600000,
                        atLeast(1),
                        LOW,
                        "The interval at which to remove producer IDs that have expired due to "
                                + "producer.id.expiration.ms passing.")
                .define(
                        LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG,
                        INT,
                        1000,
                        atLeast(0),
                        HIGH,
                        "The frequency with which we update the persistent record of the last flush which acts as the "
                                + "log recovery point. Piste's default is 1000 (Kafka's is 60000) so that restart "
                                + "after a crash scans at most about a second of writes.")
                .define(
                        "log.flush.start.offset.checkpoint.interval.ms",
                        INT,
                        60000,
                        atLeast(0),
                        HIGH,
                        "The frequency with which we update the persistent record of log start offset.")
                .define(
                        "log.segment.delete.delay.ms",
                        LONG,
                        60000L,
                        atLeast(0),
                        HIGH,
                        "The amount of time to wait before deleting a file from the filesystem.")
                .define("log.preallocate", BOOLEAN, false, MEDIUM, "Should pre allocate file when create new segment?")
                .define(
                        "log.message.timestamp.type",
                        STRING,
                        "CreateTime",
                        ValidString.in("CreateTime", "LogAppendTime"),
                        MEDIUM,
                        "Define whether the timestamp in the message is message create time or log append time.")
                .define(
                        "log.message.timestamp.before.max.ms",
                        LONG,
                        Long.MAX_VALUE,
                        atLeast(0),
                        MEDIUM,
                        "How much earlier than the broker's clock a CreateTime message timestamp may be.")
                .define(
                        "log.message.timestamp.after.max.ms",
                        LONG,
                        3600000L,
                        atLeast(0),
                        MEDIUM,
                        "How much later than the broker's clock a CreateTime message timestamp may be.")
                .define(
                        "log.message.downconversion.enable",
                        BOOLEAN,
                        true,
                        LOW,
                        TopicConfig.MESSAGE_DOWNCONVERSION_ENABLE_DOC)
                .define(
                        "log.local.retention.ms",
                        LONG,
                        -2L,
                        atLeast(-2),
                        MEDIUM,
                        TopicConfig.LOCAL_LOG_RETENTION_MS_DOC)
                .define(
                        "log.local.retention.bytes",
                        LONG,
                        -2L,
                        atLeast(-2),
                        MEDIUM,
                        TopicConfig.LOCAL_LOG_RETENTION_BYTES_DOC)
                .define(
                        TopicConfig.COMPRESSION_TYPE_CONFIG,
                        STRING,
                        "producer",
                        TopicConfigs.COMPRESSION_TYPES,
                        HIGH,
                        TopicConfig.COMPRESSION_TYPE_DOC)
                .define(
                        TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG,
                        INT,
                        TopicConfigs.GZIP_LEVEL_DEFAULT,
                        TopicConfigs.GZIP_LEVELS,
                        MEDIUM,
                        TopicConfig.COMPRESSION_GZIP_LEVEL_DOC)
                .define(
                        TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG,
                        INT,
                        TopicConfigs.LZ4_LEVEL_DEFAULT,
                        between(1, 17),
                        MEDIUM,
                        TopicConfig.COMPRESSION_LZ4_LEVEL_DOC)
                .define(
                        TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG,
                        INT,
                        TopicConfigs.ZSTD_LEVEL_DEFAULT,
                        between(-131072, 22),
                        MEDIUM,
                        TopicConfig.COMPRESSION_ZSTD_LEVEL_DOC)
                .define(
                        TopicConfig.MAX_DECOMPRESSED_MESSAGE_BYTES_CONFIG,
                        INT,
                        TopicConfigs.MAX_DECOMPRESSED_DEFAULT,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.MAX_DECOMPRESSED_MESSAGE_BYTES_DOC)
                .define(
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                        INT,
                        1,
                        atLeast(1),
                        HIGH,
                        "The minimum number of in-sync replicas that must acknowledge an acks=all write.")
                .define(
                        TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
                        BOOLEAN,
                        false,
                        HIGH,
                        "Indicates whether to enable replicas not in the ISR set to be elected as leader as a last "
                                + "resort, even though doing so may result in data loss.")
                .define(
                        "num.recovery.threads.per.data.dir",
                        INT,
                        2,
                        atLeast(1),
                        HIGH,
                        "The number of threads per data directory to be used for log recovery at startup and flushing "
                                + "at shutdown.");
    }
}
