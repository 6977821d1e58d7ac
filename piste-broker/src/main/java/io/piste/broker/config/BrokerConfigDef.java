package io.piste.broker.config;

import static io.piste.broker.config.BrokerConfig.ADVERTISED_LISTENERS_CONFIG;
import static io.piste.broker.config.BrokerConfig.AUTO_CREATE_TOPICS_ENABLE_CONFIG;
import static io.piste.broker.config.BrokerConfig.BROKER_ID_CONFIG;
import static io.piste.broker.config.BrokerConfig.CONTROLLER_LISTENER_NAMES_CONFIG;
import static io.piste.broker.config.BrokerConfig.DEFAULT_REPLICATION_FACTOR_CONFIG;
import static io.piste.broker.config.BrokerConfig.DELETE_TOPIC_ENABLE_CONFIG;
import static io.piste.broker.config.BrokerConfig.FETCH_PURGATORY_MAX_REQUESTS_CONFIG;
import static io.piste.broker.config.BrokerConfig.FETCH_PURGATORY_MAX_REQUESTS_DOC;
import static io.piste.broker.config.BrokerConfig.FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_CONFIG;
import static io.piste.broker.config.BrokerConfig.FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_DOC;
import static io.piste.broker.config.BrokerConfig.GROUP_CONSUMER_CHANGING_HEARTBEAT_INTERVAL_MS_DEFAULT;
import static io.piste.broker.config.BrokerConfig.LISTENERS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LISTENERS_DEFAULT;
import static io.piste.broker.config.BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_DIRS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_DIR_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_DIR_DEFAULT;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_INTERVAL_MESSAGES_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_INTERVAL_MS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_ON_ACK_DOC;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_SCHEDULER_INTERVAL_MS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_WRITEBACK_INTERVAL_MS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_WRITEBACK_INTERVAL_MS_DOC;
import static io.piste.broker.config.BrokerConfig.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_CONFIG;
import static io.piste.broker.config.BrokerConfig.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DOC;
import static io.piste.broker.config.BrokerConfig.MESSAGE_MAX_BYTES_CONFIG;
import static io.piste.broker.config.BrokerConfig.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_CONFIG;
import static io.piste.broker.config.BrokerConfig.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_DOC;
import static io.piste.broker.config.BrokerConfig.NODE_ID_CONFIG;
import static io.piste.broker.config.BrokerConfig.NODE_ID_DEFAULT;
import static io.piste.broker.config.BrokerConfig.NUM_PARTITIONS_CONFIG;
import static io.piste.broker.config.BrokerConfig.PRODUCER_ID_MAX_PER_PARTITION_CONFIG;
import static io.piste.broker.config.BrokerConfig.PRODUCER_ID_MAX_PER_PARTITION_DOC;
import static io.piste.broker.config.BrokerConfig.SECURITY_PROTOCOL_MAP_DEFAULT;
import static io.piste.broker.config.BrokerConfig.SOCKET_REQUEST_MAX_BYTES_CONFIG;
import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import io.piste.storage.producer.ProducerStateManager;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The definitions of the broker configs {@link BrokerConfig} reads: Kafka's names, types, defaults, validators and
 * documentation, and Piste's own. Kept apart from BrokerConfig so that the typed accessors stay readable.
 * Stateless.
 */
final class BrokerConfigDef {

    private BrokerConfigDef() {
    }

    static ConfigDef build() {
        ConfigDef def = new ConfigDef();
        defineServer(def);
        defineLog(def);
        defineHarmless(def);
        return def;
    }

    private static void defineServer(ConfigDef def) {
        def.define(NODE_ID_CONFIG, INT, NODE_ID_DEFAULT, HIGH,
                        "The node ID of this server. Piste default 1: a single node needs no setup.")
                .define(BROKER_ID_CONFIG, INT, -1, HIGH, "The broker id; if set it must match node.id.")
                .define(LISTENERS_CONFIG, STRING, LISTENERS_DEFAULT, HIGH,
                        "Listener to bind, as PLAINTEXT://host:port. An empty host binds all interfaces; port 0 "
                                + "picks an ephemeral port. Piste default binds loopback only (Kafka: all interfaces).")
                .define(ADVERTISED_LISTENERS_CONFIG, STRING, null, HIGH,
                        "Listener published to clients, if different from listeners.")
                .define(LISTENER_SECURITY_PROTOCOL_MAP_CONFIG, STRING, SECURITY_PROTOCOL_MAP_DEFAULT, LOW,
                        "Map between listener names and security protocols.")
                .define(CONTROLLER_LISTENER_NAMES_CONFIG, STRING, null, HIGH,
                        "Names of the controller listeners; Piste has no separate controller listener and ignores "
                                + "them in listeners.")
                .define(LOG_DIR_CONFIG, LIST, LOG_DIR_DEFAULT, ValidList.anyNonDuplicateValues(false, false), HIGH,
                        "The directory in which the log data is kept (supplemental for log.dirs).")
                .define(LOG_DIRS_CONFIG, LIST, null, ValidList.anyNonDuplicateValues(false, true), HIGH,
                        "A comma-separated list of the directories where the log data is stored. If not set, the "
                                + "value in log.dir is used.")
                .define(NUM_PARTITIONS_CONFIG, INT, 1, atLeast(1), MEDIUM,
                        "The default number of log partitions per topic.")
                .define(DEFAULT_REPLICATION_FACTOR_CONFIG, INT, 1, MEDIUM,
                        "The default replication factor for automatically created topics.")
                .define(AUTO_CREATE_TOPICS_ENABLE_CONFIG, BOOLEAN, true, HIGH,
                        "Enable auto creation of topic on the server.")
                .define(DELETE_TOPIC_ENABLE_CONFIG, BOOLEAN, true, HIGH, "Enables delete topic.")
                .define(MESSAGE_MAX_BYTES_CONFIG, INT, 1024 * 1024 + 12, atLeast(0), HIGH,
                        "The largest record batch size allowed (after compression if compression is enabled).")
                .define(SOCKET_REQUEST_MAX_BYTES_CONFIG, INT, 100 * 1024 * 1024, atLeast(1), HIGH,
                        "The maximum number of bytes in a socket request.")
                .define("socket.send.buffer.bytes", INT, 100 * 1024, HIGH,
                        "The SO_SNDBUF buffer of the socket server sockets. If the value is -1, the OS default "
                                + "is used.")
                .define("socket.receive.buffer.bytes", INT, 100 * 1024, HIGH,
                        "The SO_RCVBUF buffer of the socket server sockets. If the value is -1, the OS default "
                                + "is used.")
                .define("num.network.threads", INT, 3, atLeast(1), HIGH,
                        "The number of threads that the server uses for receiving and sending responses.")
                .define("num.io.threads", INT, 8, atLeast(1), HIGH,
                        "The number of threads that the server uses for processing requests.")
                .define("queued.max.requests", INT, 500, atLeast(1), HIGH,
                        "The number of queued requests allowed for data-plane, before blocking the network threads.")
                .define("connections.max.idle.ms", LONG, 10 * 60 * 1000L, MEDIUM,
                        "Idle connections timeout: the server socket processor threads close the connections that idle "
                                + "more than this.")
                .define(LOG_FLUSH_ON_ACK_CONFIG, BOOLEAN, true, HIGH, LOG_FLUSH_ON_ACK_DOC)
                .define(LOG_WRITEBACK_INTERVAL_MS_CONFIG, LONG, 1000L, atLeast(0), MEDIUM,
                        LOG_WRITEBACK_INTERVAL_MS_DOC)
                .define(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_CONFIG, INT, 1000, atLeast(0), MEDIUM,
                        MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DOC)
                .define(PRODUCER_ID_MAX_PER_PARTITION_CONFIG, INT,
                        ProducerStateManager.DEFAULT_MAX_PRODUCER_IDS, atLeast(1), MEDIUM,
                        PRODUCER_ID_MAX_PER_PARTITION_DOC)
                .define(FETCH_PURGATORY_MAX_REQUESTS_CONFIG, INT, 50_000, atLeast(0), MEDIUM,
                        FETCH_PURGATORY_MAX_REQUESTS_DOC)
                .define(FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_CONFIG, INT, 1000, atLeast(0), MEDIUM,
                        FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_DOC)
                .define(MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_CONFIG, LONG, 120_000L, atLeast(0), LOW,
                        MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_DOC)
                .define("group.initial.rebalance.delay.ms", INT, 3000, atLeast(0), MEDIUM,
                        "The time the group coordinator waits for more consumers to join a new group before the "
                                + "first rebalance.")
                .define("group.min.session.timeout.ms", INT, 6000, atLeast(0), MEDIUM,
                        "The minimum allowed session timeout for registered consumers.")
                .define("group.max.session.timeout.ms", INT, 1800000, atLeast(0), MEDIUM,
                        "The maximum allowed session timeout for registered consumers.")
                .define("group.consumer.session.timeout.ms", INT, 45000, atLeast(1), MEDIUM,
                        "The timeout to detect client failures when using the consumer group protocol.")
                .define("group.consumer.heartbeat.interval.ms", INT, 5000, atLeast(1), MEDIUM,
                        "The heartbeat interval given to the members of a consumer group.")
                .define("group.consumer.changing.heartbeat.interval.ms", INT,
                        GROUP_CONSUMER_CHANGING_HEARTBEAT_INTERVAL_MS_DEFAULT, atLeast(1), MEDIUM,
                        "Piste's own: the heartbeat interval given to the members of a consumer group while it "
                                + "changes (members joining or leaving, partitions moving) and until it has been "
                                + "settled for group.consumer.heartbeat.interval.ms; never more than that. Set it to "
                                + "group.consumer.heartbeat.interval.ms for Kafka's fixed interval.")
                .define("group.consumer.max.size", INT, Integer.MAX_VALUE, atLeast(1), MEDIUM,
                        "The maximum number of consumers that a single consumer group can accommodate.")
                .define("group.consumer.assignors", LIST, "uniform,range", MEDIUM,
                        "The server-side assignors as a list of either names for builtin assignors or full class "
                                + "names. The first one in the list is considered as the default assignor to be "
                                + "used in the case where the consumer does not specify an assignor. The supported "
                                + "builtin assignors are: uniform, range.")
                .define("offset.metadata.max.bytes", INT, 4096, atLeast(0), HIGH,
                        "The maximum size for a metadata entry associated with an offset commit.")
                .define("offsets.topic.num.partitions", INT, 50, atLeast(1), HIGH,
                        "The number of partitions for the offset commit topic (should not change after deployment).")
                .define("offsets.retention.minutes", INT, 7 * 24 * 60, atLeast(1), HIGH,
                        "How long committed offsets are kept: for a group without members, counted from the "
                                + "moment it became empty; for a standalone consumer, from its last commit.")
                .define("offsets.retention.check.interval.ms", LONG, 600000L, atLeast(1), HIGH,
                        "How often expired committed offsets are looked for and deleted.");
    }

    // message.downconversion.enable is deprecated (a no-op since Kafka 4.0) but still accepted by Kafka.
    @SuppressWarnings("deprecation")
    private static void defineLog(ConfigDef def) {
        def.define("log.segment.bytes", INT, 1024 * 1024 * 1024, atLeast(1024 * 1024), HIGH,
                        "The maximum size of a single log file.")
                .define("log.roll.ms", LONG, null, HIGH,
                        "The maximum time before a new log segment is rolled out (in milliseconds). If not set, the "
                                + "value in log.roll.hours is used.")
                .define("log.roll.hours", INT, 24 * 7, atLeast(1), HIGH,
                        "The maximum time before a new log segment is rolled out (in hours), secondary to log.roll.ms.")
                .define("log.roll.jitter.ms", LONG, null, HIGH,
                        "The maximum jitter to subtract from the roll time (in milliseconds). If not set, the value in "
                                + "log.roll.jitter.hours is used.")
                .define("log.roll.jitter.hours", INT, 0, atLeast(0), HIGH,
                        "The maximum jitter to subtract from the roll time (in hours), secondary to "
                                + "log.roll.jitter.ms.")
                .define("log.retention.ms", LONG, null, HIGH,
                        "The number of milliseconds to keep a log file before deleting it. If not set, the value in "
                                + "log.retention.minutes is used. If set to -1, no time limit is applied.")
                .define("log.retention.minutes", INT, null, HIGH,
                        "The number of minutes to keep a log file before deleting it, secondary to log.retention.ms. "
                                + "If not set, the value in log.retention.hours is used.")
                .define("log.retention.hours", INT, 24 * 7, HIGH,
                        "The number of hours to keep a log file before deleting it, tertiary to log.retention.ms.")
                .define("log.retention.bytes", LONG, -1L, HIGH, "The maximum size of the log before deleting it.")
                .define("log.retention.check.interval.ms", LONG, 5 * 60 * 1000L, atLeast(1), MEDIUM,
                        "The frequency in milliseconds that the log cleaner checks whether any log is eligible for "
                                + "deletion.")
                .define("log.cleanup.policy", LIST, TopicConfig.CLEANUP_POLICY_DELETE,
                        ValidList.in(TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.CLEANUP_POLICY_DELETE), MEDIUM,
                        "The default cleanup policy for segments beyond the retention window.")
                .define("log.index.size.max.bytes", INT, 10 * 1024 * 1024, atLeast(4), MEDIUM,
                        "The maximum size in bytes of the offset index.")
                .define("log.index.interval.bytes", INT, 4096, atLeast(0), MEDIUM,
                        "The interval with which we add an entry to the offset index.")
                .define(LOG_FLUSH_INTERVAL_MESSAGES_CONFIG, LONG, Long.MAX_VALUE, atLeast(1), HIGH,
                        "The number of messages accumulated on a log partition before messages are flushed to disk.")
                .define(LOG_FLUSH_INTERVAL_MS_CONFIG, LONG, null, HIGH,
                        "The maximum time in ms that a message in any topic is kept in memory before flushed to disk. "
                                + "If not set, the value in log.flush.scheduler.interval.ms is used.")
                .define(LOG_FLUSH_SCHEDULER_INTERVAL_MS_CONFIG, LONG, Long.MAX_VALUE, HIGH,
                        "The frequency in ms that the log flusher checks whether any log needs to be flushed to disk.")
                // Piste default 1 s, not Kafka's 60 s: recovery after a crash scans the log from this record,
                // so a stale one makes restart time grow with a minute of writes; writing it costs two small files.
                .define("producer.id.expiration.ms", INT, 86400000, atLeast(1), LOW,
                        "The time in ms that a topic partition leader will wait before expiring producer IDs.")
                .define("producer.id.expiration.check.interval.ms", INT, 600000, atLeast(1), LOW,
                        "The interval at which to remove producer IDs that have expired due to "
                                + "producer.id.expiration.ms passing.")
                .define(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG, INT, 1000, atLeast(0), HIGH,
                        "The frequency with which we update the persistent record of the last flush which acts as the "
                                + "log recovery point. Piste's default is 1000 (Kafka's is 60000) so that restart "
                                + "after a crash scans at most about a second of writes.")
                .define("log.flush.start.offset.checkpoint.interval.ms", INT, 60000, atLeast(0), HIGH,
                        "The frequency with which we update the persistent record of log start offset.")
                .define("log.segment.delete.delay.ms", LONG, 60000L, atLeast(0), HIGH,
                        "The amount of time to wait before deleting a file from the filesystem.")
                .define("log.preallocate", BOOLEAN, false, MEDIUM,
                        "Should pre allocate file when create new segment?")
                .define("log.message.timestamp.type", STRING, "CreateTime",
                        ValidString.in("CreateTime", "LogAppendTime"), MEDIUM,
                        "Define whether the timestamp in the message is message create time or log append time.")
                .define("log.message.timestamp.before.max.ms", LONG, Long.MAX_VALUE, atLeast(0), MEDIUM,
                        "How much earlier than the broker's clock a CreateTime message timestamp may be.")
                .define("log.message.timestamp.after.max.ms", LONG, 3600000L, atLeast(0), MEDIUM,
                        "How much later than the broker's clock a CreateTime message timestamp may be.")
                .define("log.message.downconversion.enable", BOOLEAN, true, LOW,
                        TopicConfig.MESSAGE_DOWNCONVERSION_ENABLE_DOC)
                .define("log.local.retention.ms", LONG, -2L, atLeast(-2), MEDIUM,
                        TopicConfig.LOCAL_LOG_RETENTION_MS_DOC)
                .define("log.local.retention.bytes", LONG, -2L, atLeast(-2), MEDIUM,
                        TopicConfig.LOCAL_LOG_RETENTION_BYTES_DOC)
                .define(TopicConfig.COMPRESSION_TYPE_CONFIG, STRING, "producer", TopicConfigs.COMPRESSION_TYPES, HIGH,
                        TopicConfig.COMPRESSION_TYPE_DOC)
                .define(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, INT, TopicConfigs.GZIP_LEVEL_DEFAULT,
                        TopicConfigs.GZIP_LEVELS, MEDIUM, TopicConfig.COMPRESSION_GZIP_LEVEL_DOC)
                .define(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, INT, TopicConfigs.LZ4_LEVEL_DEFAULT,
                        between(1, 17), MEDIUM, TopicConfig.COMPRESSION_LZ4_LEVEL_DOC)
                .define(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, INT, TopicConfigs.ZSTD_LEVEL_DEFAULT,
                        between(-131072, 22), MEDIUM, TopicConfig.COMPRESSION_ZSTD_LEVEL_DOC)
                .define(TopicConfig.MAX_DECOMPRESSED_MESSAGE_BYTES_CONFIG, INT, TopicConfigs.MAX_DECOMPRESSED_DEFAULT,
                        atLeast(0), MEDIUM, TopicConfig.MAX_DECOMPRESSED_MESSAGE_BYTES_DOC)
                .define(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, INT, 1, atLeast(1), HIGH,
                        "The minimum number of in-sync replicas that must acknowledge an acks=all write.")
                .define(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, BOOLEAN, false, HIGH,
                        "Indicates whether to enable replicas not in the ISR set to be elected as leader as a last "
                                + "resort, even though doing so may result in data loss.")
                .define("num.recovery.threads.per.data.dir", INT, 2, atLeast(1), HIGH,
                        "The number of threads per data directory to be used for log recovery at startup and flushing "
                                + "at shutdown.");
    }

    /** Keys a Kafka {@code server.properties} carries that Piste accepts without acting on them (yet). */
    private static void defineHarmless(ConfigDef def) {
        def.define("log.cleaner.enable", BOOLEAN, true, MEDIUM,
                        "Enable the log cleaner process to run on the server.")
                .define("log.cleaner.threads", INT, 1, atLeast(0), MEDIUM,
                        "The number of background threads to use for log cleaning.")
                .define("log.cleaner.delete.retention.ms", LONG, 24 * 60 * 60 * 1000L, atLeast(0), MEDIUM,
                        TopicConfig.DELETE_RETENTION_MS_DOC)
                .define("log.cleaner.min.compaction.lag.ms", LONG, 0L, atLeast(0), MEDIUM,
                        TopicConfig.MIN_COMPACTION_LAG_MS_DOC)
                .define("log.cleaner.max.compaction.lag.ms", LONG, Long.MAX_VALUE, atLeast(1), MEDIUM,
                        TopicConfig.MAX_COMPACTION_LAG_MS_DOC)
                .define("log.cleaner.min.cleanable.ratio", DOUBLE, 0.5, between(0, 1), MEDIUM,
                        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_DOC)
                .define("offsets.topic.replication.factor", SHORT, (short) 3, atLeast(1), HIGH,
                        "The replication factor for the offsets topic.")
                .define("transaction.state.log.replication.factor", SHORT, (short) 3, atLeast(1), HIGH,
                        "The replication factor for the transaction topic.")
                .define("transaction.state.log.min.isr", INT, 2, atLeast(1), HIGH,
                        "The minimum number of replicas that must acknowledge a write to the transaction topic.")
                .define("transaction.state.log.num.partitions", INT, 50, atLeast(1), HIGH,
                        "The number of partitions for the transaction topic.")
                .define("share.coordinator.state.topic.replication.factor", SHORT, (short) 3, atLeast(1), HIGH,
                        "Replication factor for the share-group state topic.")
                .define("share.coordinator.state.topic.min.isr", SHORT, (short) 2, atLeast(1), HIGH,
                        "The minimum ISR for the share-group state topic.")
                .define("num.replica.fetchers", INT, 1, HIGH, "Number of fetcher threads used to replicate records.")
                .define("replica.lag.time.max.ms", LONG, 30000L, HIGH,
                        "How long a follower may lag or not fetch before the leader removes it from the ISR.")
                .define("process.roles", STRING, null, HIGH, "The roles this process plays: broker, controller.")
                .define("controller.quorum.voters", STRING, null, HIGH, "Map of id/endpoint of the voters.")
                .define("controller.quorum.bootstrap.servers", STRING, null, HIGH,
                        "Endpoints used to discover the controller quorum.")
                .define("inter.broker.listener.name", STRING, null, MEDIUM,
                        "Name of listener used for communication between brokers.")
                .define("metadata.log.dir", STRING, null, HIGH,
                        "Where the cluster metadata log is placed; if not set, the first log directory.");
    }
}
