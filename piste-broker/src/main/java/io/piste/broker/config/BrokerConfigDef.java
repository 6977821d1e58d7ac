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
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_METHOD_AUTO;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_METHOD_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_METHOD_DOC;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_METHOD_FSYNC;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_METHOD_SYNCFS;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_FLUSH_ON_ACK_DOC;
import static io.piste.broker.config.BrokerConfig.LOG_WRITEBACK_INTERVAL_MS_CONFIG;
import static io.piste.broker.config.BrokerConfig.LOG_WRITEBACK_INTERVAL_MS_DOC;
import static io.piste.broker.config.BrokerConfig.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_CONFIG;
import static io.piste.broker.config.BrokerConfig.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DOC;
import static io.piste.broker.config.BrokerConfig.MESSAGE_MAX_BYTES_CONFIG;
import static io.piste.broker.config.BrokerConfig.METRICS_HTTP_LISTENER_CONFIG;
import static io.piste.broker.config.BrokerConfig.METRICS_HTTP_LISTENER_DEFAULT;
import static io.piste.broker.config.BrokerConfig.METRICS_HTTP_LISTENER_DOC;
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
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import io.piste.storage.producer.ProducerStateManager;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ValidList;

/**
 * The definitions of the broker configs {@link BrokerConfig} reads: Kafka's names, types, defaults, validators and
 * documentation, and Piste's own. Kept apart from BrokerConfig so that the typed accessors stay readable.
 * Stateless.
 */
final class BrokerConfigDef {

    private BrokerConfigDef() {}

    static ConfigDef build() {
        ConfigDef def = new ConfigDef();
        defineServer(def);
        BrokerLogConfigDef.define(def);
        AcceptedBrokerConfigDef.define(def);
        ClusterConfigDef.define(def);
        CleanerConfigDef.define(def);
        TransactionConfigDef.define(def);
        return def;
    }

    private static void defineServer(ConfigDef def) {
        def.define(
                        NODE_ID_CONFIG,
                        INT,
                        NODE_ID_DEFAULT,
                        HIGH,
                        "The node ID of this server. Piste default 1: a single node needs no setup.")
                .define(BROKER_ID_CONFIG, INT, -1, HIGH, "The broker id; if set it must match node.id.")
                .define(
                        LISTENERS_CONFIG,
                        STRING,
                        LISTENERS_DEFAULT,
                        HIGH,
                        "Listener to bind, as PLAINTEXT://host:port. An empty host binds all interfaces; port 0 "
                                + "picks an ephemeral port. Piste default binds loopback only (Kafka: all interfaces).")
                .define(
                        ADVERTISED_LISTENERS_CONFIG,
                        STRING,
                        null,
                        HIGH,
                        "Listener published to clients, if different from listeners.")
                .define(
                        LISTENER_SECURITY_PROTOCOL_MAP_CONFIG,
                        STRING,
                        SECURITY_PROTOCOL_MAP_DEFAULT,
                        LOW,
                        "Map between listener names and security protocols.")
                .define(
                        CONTROLLER_LISTENER_NAMES_CONFIG,
                        STRING,
                        null,
                        HIGH,
                        "Names of the controller listeners: such an entry of listeners is where a cluster node's "
                                + "metadata quorum member binds (others reach it at its controller.quorum.voters "
                                + "address); a single node ignores it.")
                .define(
                        LOG_DIR_CONFIG,
                        LIST,
                        LOG_DIR_DEFAULT,
                        ValidList.anyNonDuplicateValues(false, false),
                        HIGH,
                        "The directory in which the log data is kept (supplemental for log.dirs).")
                .define(
                        LOG_DIRS_CONFIG,
                        LIST,
                        null,
                        ValidList.anyNonDuplicateValues(false, true),
                        HIGH,
                        "A comma-separated list of the directories where the log data is stored. If not set, the "
                                + "value in log.dir is used.")
                .define(
                        NUM_PARTITIONS_CONFIG,
                        INT,
                        1,
                        atLeast(1),
                        MEDIUM,
                        "The default number of log partitions per topic.")
                .define(
                        DEFAULT_REPLICATION_FACTOR_CONFIG,
                        INT,
                        1,
                        MEDIUM,
                        "The default replication factor for automatically created topics.")
                .define(
                        AUTO_CREATE_TOPICS_ENABLE_CONFIG,
                        BOOLEAN,
                        true,
                        HIGH,
                        "Enable auto creation of topic on the server.")
                .define(DELETE_TOPIC_ENABLE_CONFIG, BOOLEAN, true, HIGH, "Enables delete topic.")
                .define(
                        MESSAGE_MAX_BYTES_CONFIG,
                        INT,
                        1024 * 1024 + 12,
                        atLeast(0),
                        HIGH,
                        "The largest record batch size allowed (after compression if compression is enabled).")
                .define(
                        SOCKET_REQUEST_MAX_BYTES_CONFIG,
                        INT,
                        100 * 1024 * 1024,
                        atLeast(1),
                        HIGH,
                        "The maximum number of bytes in a socket request.")
                .define(
                        "socket.send.buffer.bytes",
                        INT,
                        100 * 1024,
                        HIGH,
                        "The SO_SNDBUF buffer of the socket server sockets. If the value is -1, the OS default "
                                + "is used.")
                .define(
                        "socket.receive.buffer.bytes",
                        INT,
                        100 * 1024,
                        HIGH,
                        "The SO_RCVBUF buffer of the socket server sockets. If the value is -1, the OS default "
                                + "is used.")
                .define(
                        "num.network.threads",
                        INT,
                        3,
                        atLeast(1),
                        HIGH,
                        "The number of threads that the server uses for receiving and sending responses.")
                .define(
                        "num.io.threads",
                        INT,
                        8,
                        atLeast(1),
                        HIGH,
                        "The number of threads that the server uses for processing requests.")
                .define(
                        "queued.max.requests",
                        INT,
                        500,
                        atLeast(1),
                        HIGH,
                        "The number of queued requests allowed for data-plane, before blocking the network threads.")
                .define(
                        "connections.max.idle.ms",
                        LONG,
                        10 * 60 * 1000L,
                        MEDIUM,
                        "Idle connections timeout: the server socket processor threads close the connections that idle "
                                + "more than this.")
                .define(LOG_FLUSH_ON_ACK_CONFIG, BOOLEAN, true, HIGH, LOG_FLUSH_ON_ACK_DOC)
                .define(
                        LOG_FLUSH_METHOD_CONFIG,
                        STRING,
                        LOG_FLUSH_METHOD_AUTO,
                        ConfigDef.ValidString.in(
                                LOG_FLUSH_METHOD_AUTO, LOG_FLUSH_METHOD_SYNCFS, LOG_FLUSH_METHOD_FSYNC),
                        MEDIUM,
                        LOG_FLUSH_METHOD_DOC)
                .define(
                        LOG_WRITEBACK_INTERVAL_MS_CONFIG,
                        LONG,
                        1000L,
                        atLeast(0),
                        MEDIUM,
                        LOG_WRITEBACK_INTERVAL_MS_DOC)
                .define(
                        MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_CONFIG,
                        INT,
                        1000,
                        atLeast(0),
                        MEDIUM,
                        MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DOC)
                .define(
                        PRODUCER_ID_MAX_PER_PARTITION_CONFIG,
                        INT,
                        ProducerStateManager.DEFAULT_MAX_PRODUCER_IDS,
                        atLeast(1),
                        MEDIUM,
                        PRODUCER_ID_MAX_PER_PARTITION_DOC)
                .define(
                        METRICS_HTTP_LISTENER_CONFIG,
                        STRING,
                        METRICS_HTTP_LISTENER_DEFAULT,
                        MEDIUM,
                        METRICS_HTTP_LISTENER_DOC)
                .define(
                        FETCH_PURGATORY_MAX_REQUESTS_CONFIG,
                        INT,
                        50_000,
                        atLeast(0),
                        MEDIUM,
                        FETCH_PURGATORY_MAX_REQUESTS_DOC)
                .define(
                        FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_CONFIG,
                        INT,
                        1000,
                        atLeast(0),
                        MEDIUM,
                        FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_DOC)
                .define(
                        MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_CONFIG,
                        LONG,
                        120_000L,
                        atLeast(0),
                        LOW,
                        MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_DOC)
                .define(
                        "group.initial.rebalance.delay.ms",
                        INT,
                        3000,
                        atLeast(0),
                        MEDIUM,
                        "The time the group coordinator waits for more consumers to join a new group before the "
                                + "first rebalance.")
                .define(
                        "group.min.session.timeout.ms",
                        INT,
                        6000,
                        atLeast(0),
                        MEDIUM,
                        "The minimum allowed session timeout for registered consumers.")
                .define(
                        "group.max.session.timeout.ms",
                        INT,
                        1800000,
                        atLeast(0),
                        MEDIUM,
                        "The maximum allowed session timeout for registered consumers.")
                .define(
                        "group.consumer.session.timeout.ms",
                        INT,
                        45000,
                        atLeast(1),
                        MEDIUM,
                        "The timeout to detect client failures when using the consumer group protocol.")
                .define(
                        "group.consumer.heartbeat.interval.ms",
                        INT,
                        5000,
                        atLeast(1),
                        MEDIUM,
                        "The heartbeat interval given to the members of a consumer group.")
                .define(
                        "group.consumer.changing.heartbeat.interval.ms",
                        INT,
                        GROUP_CONSUMER_CHANGING_HEARTBEAT_INTERVAL_MS_DEFAULT,
                        atLeast(1),
                        MEDIUM,
                        "Piste's own: the heartbeat interval given to the members of a consumer group while it "
                                + "changes (members joining or leaving, partitions moving) and until it has been "
                                + "settled for group.consumer.heartbeat.interval.ms; never more than that. Set it to "
                                + "group.consumer.heartbeat.interval.ms for Kafka's fixed interval.")
                .define(
                        "group.consumer.max.size",
                        INT,
                        Integer.MAX_VALUE,
                        atLeast(1),
                        MEDIUM,
                        "The maximum number of consumers that a single consumer group can accommodate.")
                .define(
                        "group.consumer.assignors",
                        LIST,
                        "uniform,range",
                        MEDIUM,
                        "The server-side assignors as a list of either names for builtin assignors or full class "
                                + "names. The first one in the list is considered as the default assignor to be "
                                + "used in the case where the consumer does not specify an assignor. The supported "
                                + "builtin assignors are: uniform, range.")
                .define(
                        "offset.metadata.max.bytes",
                        INT,
                        4096,
                        atLeast(0),
                        HIGH,
                        "The maximum size for a metadata entry associated with an offset commit.")
                .define(
                        "offsets.topic.num.partitions",
                        INT,
                        50,
                        atLeast(1),
                        HIGH,
                        "The number of partitions for the offset commit topic (should not change after deployment).")
                .define(
                        "offsets.topic.replication.factor",
                        SHORT,
                        (short) 3,
                        atLeast(1),
                        HIGH,
                        "The replication factor for the offsets topic (set higher to ensure availability). Internal "
                                + "topic creation will fail until the cluster size meets this replication factor "
                                + "requirement. A single node creates it with one replica.")
                .define(
                        "offsets.retention.minutes",
                        INT,
                        7 * 24 * 60,
                        atLeast(1),
                        HIGH,
                        "How long committed offsets are kept: for a group without members, counted from the "
                                + "moment it became empty; for a standalone consumer, from its last commit.")
                .define(
                        "offsets.retention.check.interval.ms",
                        LONG,
                        600000L,
                        atLeast(1),
                        HIGH,
                        "How often expired committed offsets are looked for and deleted.");
    }
}
