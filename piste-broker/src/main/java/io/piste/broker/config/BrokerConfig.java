package io.piste.broker.config;

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

import io.piste.storage.log.LogConfig;
import io.piste.storage.producer.ProducerStateManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's static configuration, read from Kafka's broker config names ({@code server.properties}).
 *
 * <p>Names, types, defaults and validators are Kafka's, with these documented deviations, all so that a single node
 * starts with no setup: {@code node.id} defaults to 1 (Kafka requires it), {@code listeners} defaults to
 * {@code PLAINTEXT://127.0.0.1:9092} (Kafka binds all interfaces), {@code log.dir} defaults to {@code ./data}
 * (Kafka: {@code /tmp/kafka-logs}). {@code log.flush.on.ack},
 * {@code log.writeback.interval.ms}, {@code fetch.purgatory.max.requests},
 * {@code fetch.purgatory.max.requests.per.partition} and
 * {@code producer.id.max.per.partition} are Piste's own. Keys Piste does not know are kept in
 * {@link #originals()} and logged once each at WARN, as Kafka does.
 *
 * <p>Immutable and thread-safe.
 */
public final class BrokerConfig {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerConfig.class);

    public static final String NODE_ID_CONFIG = "node.id";
    public static final String BROKER_ID_CONFIG = "broker.id";
    public static final String LISTENERS_CONFIG = "listeners";
    public static final String ADVERTISED_LISTENERS_CONFIG = "advertised.listeners";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP_CONFIG = "listener.security.protocol.map";
    public static final String CONTROLLER_LISTENER_NAMES_CONFIG = "controller.listener.names";
    public static final String LOG_DIRS_CONFIG = "log.dirs";
    public static final String LOG_DIR_CONFIG = "log.dir";
    public static final String NUM_PARTITIONS_CONFIG = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR_CONFIG = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE_CONFIG = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE_CONFIG = "delete.topic.enable";
    public static final String MESSAGE_MAX_BYTES_CONFIG = "message.max.bytes";
    public static final String SOCKET_REQUEST_MAX_BYTES_CONFIG = "socket.request.max.bytes";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES_CONFIG = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS_CONFIG = "log.flush.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS_CONFIG = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG =
            "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_FLUSH_ON_ACK_CONFIG = "log.flush.on.ack";
    public static final String LOG_FLUSH_ON_ACK_DOC =
            "acks=all is answered only after the appended data is fsynced by a "
            + "group commit; false gives Kafka's page-cache behaviour where log.flush.interval.* decide when data is "
            + "fsynced. Piste only.";
    public static final String LOG_WRITEBACK_INTERVAL_MS_CONFIG = "log.writeback.interval.ms";
    public static final String LOG_WRITEBACK_INTERVAL_MS_DOC =
            "With log.flush.on.ack=false, how often the data appended to each partition since the last time is "
            + "written back to disk (an fsync on the flusher thread), so that the OS never holds tens of seconds "
            + "of unwritten data and writes it back in one burst, which stalls appends. Acks are not affected. "
            + "0 leaves write-back to the OS and log.flush.interval.*, as in Kafka. Piste only.";

    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_CONFIG =
            "max.incremental.fetch.session.cache.slots";
    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DOC =
            "The maximum number of incremental fetch sessions (KIP-227) the broker keeps. 0 answers every fetch "
            + "session-less.";
    public static final String FETCH_PURGATORY_MAX_REQUESTS_CONFIG = "fetch.purgatory.max.requests";
    public static final String FETCH_PURGATORY_MAX_REQUESTS_DOC =
            "The maximum number of fetches the broker keeps waiting for data (max.wait.ms, min.bytes) at once. "
            + "A fetch beyond it is answered at once with the data there is, and a throttle time of its max.wait.ms "
            + "so that clients (KIP-219) wait before fetching again. Piste's own.";
    public static final String FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_CONFIG =
            "fetch.purgatory.max.requests.per.partition";
    public static final String FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_DOC =
            "The maximum number of waiting fetches (max.wait.ms, min.bytes) that name one partition; every append "
            + "that moves the partition's high watermark tells each of them. A fetch beyond it is answered as one "
            + "beyond fetch.purgatory.max.requests. Piste's own.";
    public static final String PRODUCER_ID_MAX_PER_PARTITION_CONFIG = "producer.id.max.per.partition";
    public static final String PRODUCER_ID_MAX_PER_PARTITION_DOC =
            "The maximum number of producer ids whose idempotence state a partition keeps. A batch from one more "
            + "producer id is refused with POLICY_VIOLATION until a tracked producer expires "
            + "(producer.id.expiration.ms); no tracked producer is forgotten to make room. Piste's own; Kafka "
            + "throttles new producer ids per user instead (KIP-936).";
    public static final String MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_CONFIG =
            "min.incremental.fetch.session.eviction.ms";
    public static final String MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_DOC =
            "When the fetch session cache is full, a session idle for longer than this may be evicted for a new "
            + "one; a session older than this may be evicted for a larger one. Kafka's default; Kafka does not "
            + "let it be set (Piste does, for tests).";

    /** Piste's default for {@code group.consumer.changing.heartbeat.interval.ms}. */
    public static final int GROUP_CONSUMER_CHANGING_HEARTBEAT_INTERVAL_MS_DEFAULT = 500;

    static final int NODE_ID_DEFAULT = 1;
    static final String LISTENERS_DEFAULT = "PLAINTEXT://127.0.0.1:9092";
    static final String LOG_DIR_DEFAULT = "./data";
    static final String SECURITY_PROTOCOL_MAP_DEFAULT =
            "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL";

    private static final ConfigDef CONFIG_DEF = buildConfigDef();

    private final Map<String, String> originals;
    private final Map<String, Object> values;
    private final int nodeId;
    private final List<Path> logDirs;
    private final Endpoint listener;
    private final Endpoint advertisedListener;

    /**
     * @param props Kafka broker config names to values, as in {@code server.properties}
     * @throws ConfigException naming the key and value when one is invalid
     */
    public BrokerConfig(Map<String, String> props) {
        this.originals = Collections.unmodifiableMap(new TreeMap<>(props));
        this.values = Collections.unmodifiableMap(CONFIG_DEF.parse(props));
        for (String key : originals.keySet()) {
            if (!CONFIG_DEF.configKeys().containsKey(key)) {
                LOG.warn("Unknown broker config {} is kept but not used", key);
            }
        }
        NotUsedBrokerConfigs.logIfSet(originals.keySet());
        this.nodeId = resolveNodeId();
        this.logDirs = resolveLogDirs();
        List<Endpoint> endpoints = Listeners.parse(this);
        this.listener = endpoints.get(0);
        this.advertisedListener = endpoints.get(1);
        // Built once here so that a bad combination fails at start-up, not at the first topic.
        TopicConfigs.logConfig(this, Map.of());
    }

    public static BrokerConfig fromProperties(Properties properties) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            props.put(name, properties.getProperty(name));
        }
        return new BrokerConfig(props);
    }

    /** A broker listener: {@code host} empty means all interfaces; {@code port} 0 means an ephemeral port. */
    public record Endpoint(String listenerName, String securityProtocol, String host, int port) {
        public Endpoint withPort(int newPort) {
            return new Endpoint(listenerName, securityProtocol, host, newPort);
        }

        /** As written in {@code listeners}: {@code PLAINTEXT://host:port}, IPv6 hosts in brackets. */
        @Override
        public String toString() {
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            return listenerName + "://" + h + ":" + port;
        }
    }

    public int nodeId() {
        return nodeId;
    }

    public List<Path> logDirs() {
        return logDirs;
    }

    public int numPartitions() {
        return (Integer) values.get(NUM_PARTITIONS_CONFIG);
    }

    public short defaultReplicationFactor() {
        return ((Integer) values.get(DEFAULT_REPLICATION_FACTOR_CONFIG)).shortValue();
    }

    public boolean autoCreateTopicsEnable() {
        return (Boolean) values.get(AUTO_CREATE_TOPICS_ENABLE_CONFIG);
    }

    public boolean deleteTopicEnable() {
        return (Boolean) values.get(DELETE_TOPIC_ENABLE_CONFIG);
    }

    public int messageMaxBytes() {
        return (Integer) values.get(MESSAGE_MAX_BYTES_CONFIG);
    }

    public int socketRequestMaxBytes() {
        return (Integer) values.get(SOCKET_REQUEST_MAX_BYTES_CONFIG);
    }

    public boolean logFlushOnAck() {
        return (Boolean) values.get(LOG_FLUSH_ON_ACK_CONFIG);
    }

    public long logWritebackIntervalMs() {
        return (Long) values.get(LOG_WRITEBACK_INTERVAL_MS_CONFIG);
    }

    public long logFlushIntervalMessages() {
        return (Long) values.get(LOG_FLUSH_INTERVAL_MESSAGES_CONFIG);
    }

    /** {@code log.flush.interval.ms}, or {@code log.flush.scheduler.interval.ms} when it is not set, as Kafka. */
    public long logFlushIntervalMs() {
        Long ms = (Long) values.get(LOG_FLUSH_INTERVAL_MS_CONFIG);
        return ms != null ? ms : logFlushSchedulerIntervalMs();
    }

    public long logFlushSchedulerIntervalMs() {
        return (Long) values.get(LOG_FLUSH_SCHEDULER_INTERVAL_MS_CONFIG);
    }

    public long logFlushOffsetCheckpointIntervalMs() {
        return (Integer) values.get(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS_CONFIG);
    }

    public long producerIdExpirationMs() {
        return (Integer) values.get("producer.id.expiration.ms");
    }

    public long producerIdExpirationCheckIntervalMs() {
        return (Integer) values.get("producer.id.expiration.check.interval.ms");
    }

    /**
     * An INT config's value, by name: for the settings another package reads itself, as Kafka's group coordinator
     * reads its own from the broker's config (so that this class does not depend on the packages it configures).
     *
     * @throws ConfigException if no such config is defined
     */
    public int getInt(String name) {
        return (Integer) definedValue(name);
    }

    /** A LONG config's value, by name; see {@link #getInt(String)}. */
    public long getLong(String name) {
        return (Long) definedValue(name);
    }

    /** A LIST config's value, by name; see {@link #getInt(String)}. */
    @SuppressWarnings("unchecked") // ConfigDef parses a LIST config to a List<String>
    public List<String> getList(String name) {
        return (List<String>) definedValue(name);
    }

    private Object definedValue(String name) {
        if (!values.containsKey(name)) {
            throw new ConfigException("Unknown broker config " + name);
        }
        return values.get(name);
    }

    /** Threads per log dir that open (and, after a crash, recover) logs at start-up. */
    public int numRecoveryThreadsPerDataDir() {
        return (Integer) values.get("num.recovery.threads.per.data.dir");
    }

    public int numNetworkThreads() {
        return (Integer) values.get("num.network.threads");
    }

    /** {@code queued.max.requests}: unanswered requests over all connections before they are read one at a time. */
    public int queuedMaxRequests() {
        return (Integer) values.get("queued.max.requests");
    }

    /** {@code connections.max.idle.ms}: a connection idle this long is closed; negative never. */
    public long connectionsMaxIdleMs() {
        return (Long) values.get("connections.max.idle.ms");
    }

    /** {@code max.incremental.fetch.session.cache.slots}. */
    public int maxIncrementalFetchSessionCacheSlots() {
        return (Integer) values.get(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_CONFIG);
    }

    /** {@code producer.id.max.per.partition}. */
    public int producerIdMaxPerPartition() {
        return (Integer) values.get(PRODUCER_ID_MAX_PER_PARTITION_CONFIG);
    }

    /** {@code fetch.purgatory.max.requests}. */
    public int fetchPurgatoryMaxRequests() {
        return (Integer) values.get(FETCH_PURGATORY_MAX_REQUESTS_CONFIG);
    }

    /** {@code fetch.purgatory.max.requests.per.partition}. */
    public int fetchPurgatoryMaxRequestsPerPartition() {
        return (Integer) values.get(FETCH_PURGATORY_MAX_REQUESTS_PER_PARTITION_CONFIG);
    }

    /** {@code min.incremental.fetch.session.eviction.ms}. */
    public long minIncrementalFetchSessionEvictionMs() {
        return (Long) values.get(MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS_CONFIG);
    }

    public Endpoint listener() {
        return listener;
    }

    /** What clients are told to connect to; its port is 0 when {@link #listener()} binds an ephemeral port. */
    public Endpoint advertisedListener() {
        return advertisedListener;
    }

    /** What the user set, unknown keys included, sorted by name. */
    public Map<String, String> originals() {
        return originals;
    }

    /** The log settings of a topic with no overrides. */
    public LogConfig defaultLogConfig() {
        return TopicConfigs.logConfig(this, Map.of());
    }

    /** The parsed value of a known key (default applied), or null. */
    Object value(String name) {
        return values.get(name);
    }

    boolean isSet(String name) {
        return originals.containsKey(name);
    }

    static ConfigDef configDef() {
        return CONFIG_DEF;
    }

    private int resolveNodeId() {
        boolean nodeIdSet = isSet(NODE_ID_CONFIG);
        boolean brokerIdSet = isSet(BROKER_ID_CONFIG);
        int node = (Integer) values.get(NODE_ID_CONFIG);
        int broker = (Integer) values.get(BROKER_ID_CONFIG);
        if (nodeIdSet && brokerIdSet && node != broker) {
            throw new ConfigException("broker.id (" + broker + ") and node.id (" + node
                    + ") must match when both are set");
        }
        int id = nodeIdSet ? node : brokerIdSet ? broker : NODE_ID_DEFAULT;
        if (id < 0) {
            throw new ConfigException(NODE_ID_CONFIG, id, "must be at least 0");
        }
        return id;
    }

    @SuppressWarnings("unchecked")
    private List<Path> resolveLogDirs() {
        List<String> dirs = (List<String>) values.get(LOG_DIRS_CONFIG);
        if (dirs == null) {
            dirs = (List<String>) values.get(LOG_DIR_CONFIG);
        }
        List<Path> paths = new ArrayList<>(dirs.size());
        for (String dir : dirs) {
            paths.add(Path.of(dir));
        }
        if (paths.isEmpty()) {
            throw new ConfigException(LOG_DIRS_CONFIG, "", "at least one log directory is needed");
        }
        return List.copyOf(paths);
    }

    private static ConfigDef buildConfigDef() {
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
