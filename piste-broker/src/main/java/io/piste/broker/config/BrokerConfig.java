package io.piste.broker.config;

import io.piste.storage.log.LogConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's static configuration, read from Kafka's broker config names ({@code server.properties}).
 *
 * <p>Names, types, defaults and validators are Kafka's, with these documented deviations, all so that a single node
 * starts with no setup: {@code node.id} defaults to 1 (Kafka requires it), {@code listeners} defaults to
 * {@code PLAINTEXT://127.0.0.1:9092} (Kafka binds all interfaces), {@code log.dir} defaults to {@code ./data}
 * (Kafka: {@code /tmp/kafka-logs}). {@code log.flush.on.ack},
 * {@code log.writeback.interval.ms}, {@code log.flush.method}, {@code fetch.purgatory.max.requests},
 * {@code fetch.purgatory.max.requests.per.partition}, {@code metrics.http.listener} and
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
    public static final String LOG_FLUSH_METHOD_CONFIG = "log.flush.method";
    public static final String LOG_FLUSH_METHOD_AUTO = "auto";
    public static final String LOG_FLUSH_METHOD_SYNCFS = "syncfs";
    public static final String LOG_FLUSH_METHOD_FSYNC = "fsync";
    public static final String LOG_FLUSH_METHOD_DOC =
            "How a group commit makes the partitions appended to since the last one durable. fsync: each partition's "
                    + "files, over 16 threads; a failure takes that partition offline. syncfs: one syncfs(2) per log dir "
                    + "per round, whatever the number of partitions, but it also waits for anything else dirty on that "
                    + "file system; a failure takes every partition of the log dir offline. auto: syncfs for a round "
                    + "with 2 dirty partitions or more in a log dir, fsync for one (use fsync where other programs write "
                    + "to the log dirs' file system). syncfs needs Linux 5.8 or later; "
                    + "elsewhere, or if it cannot be loaded, the broker logs why and uses fsync. Piste only.";
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
    public static final String METRICS_HTTP_LISTENER_CONFIG = "metrics.http.listener";
    public static final String METRICS_HTTP_LISTENER_DOC =
            "HOST:PORT of the HTTP endpoint serving Prometheus metrics (/metrics), liveness (/health) and readiness "
                    + "(/ready); port 0 binds an ephemeral port, an empty value serves none. Piste's own.";
    public static final String METRICS_HTTP_LISTENER_DEFAULT = "127.0.0.1:9644";
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

    private static final ConfigDef CONFIG_DEF = BrokerConfigDef.build();

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
        this.listener = endpoints.isEmpty() ? null : endpoints.get(0);
        this.advertisedListener = endpoints.isEmpty() ? null : endpoints.get(1);
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

    /** The roles of {@code process.roles}, lower case: {@code broker}, {@code controller}; both when it is unset. */
    public Set<String> processRoles() {
        String value = (String) values.get(ClusterConfigDef.PROCESS_ROLES_CONFIG);
        if (value == null) {
            return Set.of("broker", "controller");
        }
        Set<String> roles = new TreeSet<>();
        for (String role : value.split(",")) {
            if (!role.isBlank()) {
                roles.add(role.trim().toLowerCase(Locale.ROOT));
            }
        }
        return roles;
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

    /** {@code auto}, {@code syncfs} or {@code fsync}: see {@link #LOG_FLUSH_METHOD_DOC}. */
    public String logFlushMethod() {
        return (String) values.get(LOG_FLUSH_METHOD_CONFIG);
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

    /** A SHORT config's value, by name; see {@link #getInt(String)}. */
    public short getShort(String name) {
        return (Short) definedValue(name);
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

    /** A STRING config's value (null if unset without a default), by name; see {@link #getInt(String)}. */
    public String getString(String name) {
        return (String) definedValue(name);
    }

    /** A DOUBLE config's value, by name; see {@link #getInt(String)}. */
    public double getDouble(String name) {
        return (Double) definedValue(name);
    }

    /** A BOOLEAN config's value, by name; see {@link #getInt(String)}. */
    public boolean getBoolean(String name) {
        return (Boolean) definedValue(name);
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

    /** {@code metrics.http.listener}: HOST:PORT, or empty when the metrics endpoint is off. */
    public String metricsHttpListener() {
        return ((String) values.get(METRICS_HTTP_LISTENER_CONFIG)).trim();
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

    /** The listener clients connect to; null on a controller-only node that lists only its CONTROLLER listener. */
    public Endpoint listener() {
        return listener;
    }

    /**
     * The {@code listeners} entry named in {@code controller.listener.names}: where a cluster node's quorum member
     * binds; empty when there is none (it binds its own {@code controller.quorum.voters} address).
     */
    public Optional<Endpoint> controllerListener() {
        return Listeners.controllerListener(this);
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
            throw new ConfigException(
                    "broker.id (" + broker + ") and node.id (" + node + ") must match when both are set");
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
}
