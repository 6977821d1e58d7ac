package io.piste.broker.config;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's effective configuration: the static {@link BrokerConfig} under the dynamic configs set with
 * AlterConfigs on a BROKER resource, cluster-wide (name "") and for this node (name = node id). A value is taken, in
 * Kafka's order, from the per-broker dynamic config, the cluster-wide dynamic default, {@code server.properties}, then
 * the config's default.
 *
 * <p>Only Kafka's dynamic log configs can be set: for each topic config, the first broker config that gives its
 * default ({@code log.retention.ms}, not {@code log.retention.hours}; {@code log.flush.interval.ms}, not
 * {@code log.flush.scheduler.interval.ms}), as Kafka's {@code DynamicLogConfig}; and the cleaner's, as Kafka's
 * {@code LogCleaner.ReconfigurableConfigs} ({@link CleanerConfigDef#DYNAMIC}); and the replication throttle's rates.
 * Kafka's other dynamic configs
 * (thread pools, listeners, SSL) are refused like static ones, and so are names Piste does not know, which Kafka
 * would store without using them.
 *
 * <p>Immutable and thread-safe: a change of the dynamic configs makes a new instance.
 */
public final class DynamicBrokerConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicBrokerConfigs.class);

    private static final Set<String> DYNAMIC_NAMES = buildDynamicNames();

    private final BrokerConfig staticConfig;
    private final Map<String, String> clusterDefaults;
    private final Map<String, String> perBroker;
    private final Map<String, Object> values;

    private DynamicBrokerConfigs(
            BrokerConfig staticConfig,
            Map<String, String> clusterDefaults,
            Map<String, String> perBroker,
            Map<String, Object> values) {
        this.staticConfig = staticConfig;
        this.clusterDefaults = clusterDefaults;
        this.perBroker = perBroker;
        this.values = values;
    }

    /** The static config alone, as before any dynamic config is set. */
    public static DynamicBrokerConfigs staticOnly(BrokerConfig staticConfig) {
        return new DynamicBrokerConfigs(staticConfig, Map.of(), Map.of(), null);
    }

    /**
     * The static config under stored dynamic configs. A stored entry that is no longer dynamic or valid (say after
     * an upgrade) is skipped with a warning rather than failing start-up, as Kafka does.
     */
    public static DynamicBrokerConfigs of(
            BrokerConfig staticConfig, Map<String, String> clusterDefaults, Map<String, String> perBroker) {
        Map<String, String> defaults = usable(clusterDefaults, "cluster-wide default");
        Map<String, String> broker = usable(perBroker, "broker " + staticConfig.nodeId());
        if (defaults.isEmpty() && broker.isEmpty()) {
            return staticOnly(staticConfig);
        }
        Map<String, Object> values = new HashMap<>();
        values.putAll(parse(defaults));
        values.putAll(parse(broker));
        return new DynamicBrokerConfigs(staticConfig, defaults, broker, values);
    }

    /** True for the broker configs AlterConfigs may change at run time. */
    public static boolean isDynamic(String name) {
        return DYNAMIC_NAMES.contains(name);
    }

    /** The dynamic config names, sorted. */
    static Set<String> dynamicNames() {
        return DYNAMIC_NAMES;
    }

    /**
     * Checks the complete new dynamic configs of one scope as Kafka's broker does: only dynamic names, values valid
     * as in {@code server.properties}.
     *
     * @throws InvalidRequestException naming the configs or the bad value (Kafka answers INVALID_REQUEST here)
     */
    static void validate(Map<String, String> configs) {
        Set<String> notDynamic = new TreeSet<>();
        for (String name : configs.keySet()) {
            if (!isDynamic(name)) {
                notDynamic.add(name);
            }
        }
        if (!notDynamic.isEmpty()) {
            throw new InvalidRequestException("Cannot update these configs dynamically: " + notDynamic);
        }
        try {
            parse(configs);
        } catch (ConfigException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    /** This config with the dynamic configs of one scope replaced by {@code configs}, which are valid. */
    DynamicBrokerConfigs withScope(boolean clusterDefault, Map<String, String> configs) {
        return clusterDefault ? of(staticConfig, configs, perBroker) : of(staticConfig, clusterDefaults, configs);
    }

    public BrokerConfig staticConfig() {
        return staticConfig;
    }

    public int nodeId() {
        return staticConfig.nodeId();
    }

    /** The cluster-wide dynamic defaults that are in use, by name. */
    public Map<String, String> clusterDefaults() {
        return clusterDefaults;
    }

    /** This node's dynamic configs that are in use, by name. */
    public Map<String, String> perBroker() {
        return perBroker;
    }

    /** The effective parsed value of a known key (default applied), or null. */
    Object value(String name) {
        if (values != null && values.containsKey(name)) {
            return values.get(name);
        }
        return staticConfig.value(name);
    }

    /** An INT config's effective value, by name. */
    public int getInt(String name) {
        return (Integer) value(name);
    }

    /** A LONG config's effective value, by name. */
    public long getLong(String name) {
        return (Long) value(name);
    }

    /** A DOUBLE config's effective value, by name. */
    public double getDouble(String name) {
        return (Double) value(name);
    }

    /** A BOOLEAN config's effective value, by name. */
    public boolean getBoolean(String name) {
        return (Boolean) value(name);
    }

    /** Whether the user set {@code name} at any level: dynamically or in {@code server.properties}. */
    boolean isSet(String name) {
        return perBroker.containsKey(name) || clusterDefaults.containsKey(name) || staticConfig.isSet(name);
    }

    private static Map<String, String> usable(Map<String, String> stored, String scope) {
        Map<String, String> kept = new TreeMap<>();
        for (Map.Entry<String, String> e : stored.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            try {
                validate(Map.of(e.getKey(), e.getValue()));
                kept.put(e.getKey(), e.getValue());
            } catch (InvalidRequestException ex) {
                LOG.warn(
                        "Ignoring the dynamic broker config {}={} of the {}: {}",
                        e.getKey(),
                        e.getValue(),
                        scope,
                        ex.getMessage());
            }
        }
        return Collections.unmodifiableMap(kept);
    }

    /** Parses only the given keys: {@code ConfigDef.parse} would add every other key with its default. */
    private static Map<String, Object> parse(Map<String, String> configs) {
        Map<String, Object> parsed = new HashMap<>();
        for (Map.Entry<String, String> e : configs.entrySet()) {
            ConfigKey key = BrokerConfig.configDef().configKeys().get(e.getKey());
            Object value = ConfigDef.parseType(key.name, e.getValue(), key.type);
            if (key.validator != null) {
                key.validator.ensureValid(key.name, value);
            }
            parsed.put(key.name, value);
        }
        return parsed;
    }

    private static Set<String> buildDynamicNames() {
        Set<String> names = new TreeSet<>();
        for (String topicConfig : TopicConfigs.names()) {
            List<TopicConfigs.Synonym> synonyms = TopicConfigs.synonyms(topicConfig);
            if (!synonyms.isEmpty()
                    && BrokerConfig.configDef()
                            .configKeys()
                            .containsKey(synonyms.get(0).name())) {
                names.add(synonyms.get(0).name());
            }
        }
        names.addAll(CleanerConfigDef.DYNAMIC);
        // Kafka's replication throttle (DynamicReplicationConfig), set by kafka-reassign-partitions --throttle
        names.add(ClusterConfigDef.LEADER_REPLICATION_THROTTLED_RATE_CONFIG);
        names.add(ClusterConfigDef.FOLLOWER_REPLICATION_THROTTLED_RATE_CONFIG);
        return Collections.unmodifiableSet(names);
    }
}
