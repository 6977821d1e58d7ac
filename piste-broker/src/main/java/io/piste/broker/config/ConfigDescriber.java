package io.piste.broker.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Builds DescribeConfigs results and the CreateTopics (v5+) config list, with Kafka's sources and synonyms.
 *
 * <p>A topic config's synonyms are, in Kafka's order: the topic override ({@code TOPIC_CONFIG}), then the broker
 * synonyms set for this node ({@code DYNAMIC_BROKER_CONFIG}), set as cluster-wide dynamic defaults
 * ({@code DYNAMIC_DEFAULT_BROKER_CONFIG}), set in {@code server.properties} ({@code STATIC_BROKER_CONFIG}), then the
 * broker synonyms with a default ({@code DEFAULT_CONFIG}); the first is the config's source. Deviation: where only a
 * lower-priority synonym is set (say {@code log.retention.hours}), Kafka drops the whole list and reports
 * DEFAULT_CONFIG; Piste reports the synonym that gives the value. Broker configs are read-only except the dynamic ones
 * ({@link DynamicBrokerConfigs#isDynamic}). Kafka configs that do nothing in Piste ({@link NotUsedBrokerConfigs}) are
 * listed only when set or asked for by name, documented as such. Stateless and thread-safe.
 */
public final class ConfigDescriber {
    /** DescribeConfigs v3 added ConfigType and Documentation. */
    private static final short TYPE_AND_DOC_MIN_VERSION = 3;

    private ConfigDescriber() {}

    /** The result for a topic that exists, with its stored overrides; {@code keys} null means all. */
    public static DescribeConfigsResult describeTopic(
            DynamicBrokerConfigs broker,
            String topic,
            Map<String, String> overrides,
            List<String> keys,
            boolean includeSynonyms,
            boolean includeDocumentation,
            short version) {
        Map<String, Object> values = TopicConfigs.effectiveValues(broker, overrides);
        Set<String> wanted = keys == null ? null : new HashSet<>(keys);
        List<DescribeConfigsResourceResult> configs = new ArrayList<>();
        for (String name : TopicConfigs.names()) {
            if (wanted != null && !wanted.contains(name)) {
                continue;
            }
            ConfigKey key = TopicConfigs.key(name);
            List<DescribeConfigsSynonym> synonyms = topicSynonyms(broker, overrides, key);
            configs.add(entry(key, values.get(name), synonyms, false, includeSynonyms, includeDocumentation, version));
        }
        return success(ConfigResource.Type.TOPIC, topic, configs);
    }

    /**
     * The result for a BROKER resource: every config of this node for its id, only the cluster-wide dynamic defaults
     * for "", INVALID_REQUEST for another id, as Kafka.
     */
    public static DescribeConfigsResult describeBroker(
            DynamicBrokerConfigs broker,
            String resourceName,
            List<String> keys,
            boolean includeSynonyms,
            boolean includeDocumentation,
            short version) {
        if (resourceName == null || resourceName.isEmpty()) {
            return describeClusterDefaults(broker, keys, includeSynonyms, includeDocumentation, version);
        }
        int id = brokerId(resourceName);
        if (id != broker.nodeId()) {
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                    + " or empty string, but received " + resourceName);
        }
        ConfigDef def = BrokerConfig.configDef();
        Set<String> names = new TreeSet<>(broker.staticConfig().originals().keySet());
        for (ConfigKey key : def.configKeys().values()) {
            // A config that does nothing here is listed only if the user set it or asks for it by name.
            if (!key.internalConfig && (keys != null || !NotUsedBrokerConfigs.contains(key.name))) {
                names.add(key.name);
            }
        }
        Set<String> wanted = keys == null ? null : new HashSet<>(keys);
        List<DescribeConfigsResourceResult> configs = new ArrayList<>();
        for (String name : names) {
            if (wanted != null && !wanted.contains(name)) {
                continue;
            }
            ConfigKey key = def.configKeys().get(name);
            if (key == null) {
                configs.add(unknownBrokerEntry(name, includeSynonyms, version));
                continue;
            }
            List<DescribeConfigsSynonym> synonyms = brokerSynonyms(broker, name, true);
            DescribeConfigsResourceResult result = entry(
                    key,
                    broker.value(name),
                    synonyms,
                    !DynamicBrokerConfigs.isDynamic(name),
                    includeSynonyms,
                    includeDocumentation,
                    version);
            if (includeDocumentation && version >= TYPE_AND_DOC_MIN_VERSION && NotUsedBrokerConfigs.contains(name)) {
                result.setDocumentation(NotUsedBrokerConfigs.documentation(name));
            }
            configs.add(result);
        }
        return success(ConfigResource.Type.BROKER, resourceName, configs);
    }

    /** Kafka lists only the configs set as cluster-wide defaults, without the per-broker synonyms. */
    private static DescribeConfigsResult describeClusterDefaults(
            DynamicBrokerConfigs broker,
            List<String> keys,
            boolean includeSynonyms,
            boolean includeDocumentation,
            short version) {
        Set<String> wanted = keys == null ? null : new HashSet<>(keys);
        List<DescribeConfigsResourceResult> configs = new ArrayList<>();
        DynamicBrokerConfigs defaultsOnly =
                DynamicBrokerConfigs.of(broker.staticConfig(), broker.clusterDefaults(), Map.of());
        for (String name : new TreeSet<>(broker.clusterDefaults().keySet())) {
            if (wanted != null && !wanted.contains(name)) {
                continue;
            }
            ConfigKey key = BrokerConfig.configDef().configKeys().get(name);
            List<DescribeConfigsSynonym> synonyms = brokerSynonyms(broker, name, false);
            configs.add(entry(
                    key,
                    defaultsOnly.value(name),
                    synonyms,
                    !DynamicBrokerConfigs.isDynamic(name),
                    includeSynonyms,
                    includeDocumentation,
                    version));
        }
        return success(ConfigResource.Type.BROKER, "", configs);
    }

    /** The configs of a topic as CreateTopics v5+ returns them, under the static broker config only. */
    public static List<CreatableTopicConfigs> forCreateTopics(BrokerConfig broker, Map<String, String> overrides) {
        return forCreateTopics(DynamicBrokerConfigs.staticOnly(broker), overrides);
    }

    /** The configs of a topic as CreateTopics v5+ returns them. */
    public static List<CreatableTopicConfigs> forCreateTopics(
            DynamicBrokerConfigs broker, Map<String, String> overrides) {
        Map<String, Object> values = TopicConfigs.effectiveValues(broker, overrides);
        List<CreatableTopicConfigs> configs = new ArrayList<>();
        for (String name : TopicConfigs.names()) {
            ConfigKey key = TopicConfigs.key(name);
            List<DescribeConfigsSynonym> synonyms = topicSynonyms(broker, overrides, key);
            boolean sensitive = key.type == ConfigDef.Type.PASSWORD;
            configs.add(new CreatableTopicConfigs()
                    .setName(name)
                    .setValue(sensitive ? null : ConfigDef.convertToString(values.get(name), key.type))
                    .setReadOnly(false)
                    .setConfigSource(source(synonyms))
                    .setIsSensitive(sensitive));
        }
        return configs;
    }

    static DescribeConfigsResult error(byte resourceType, String resourceName, Throwable e) {
        Errors error = Errors.forException(e);
        return new DescribeConfigsResult()
                .setErrorCode(error.code())
                .setErrorMessage(e.getMessage() != null ? e.getMessage() : error.message())
                .setResourceType(resourceType)
                .setResourceName(resourceName)
                .setConfigs(List.of());
    }

    static int brokerId(String resourceName) {
        try {
            return Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + resourceName);
        }
    }

    private static DescribeConfigsResult success(
            ConfigResource.Type type, String name, List<DescribeConfigsResourceResult> configs) {
        return new DescribeConfigsResult()
                .setErrorCode(Errors.NONE.code())
                .setErrorMessage(null)
                .setResourceType(type.id())
                .setResourceName(name)
                .setConfigs(configs);
    }

    private static DescribeConfigsResourceResult entry(
            ConfigKey key,
            Object value,
            List<DescribeConfigsSynonym> synonyms,
            boolean readOnly,
            boolean includeSynonyms,
            boolean includeDocumentation,
            short version) {
        boolean sensitive = key.type == ConfigDef.Type.PASSWORD;
        DescribeConfigsResourceResult result = new DescribeConfigsResourceResult()
                .setName(key.name)
                .setValue(sensitive ? null : ConfigDef.convertToString(value, key.type))
                .setReadOnly(readOnly)
                .setConfigSource(source(synonyms))
                .setIsSensitive(sensitive)
                .setSynonyms(includeSynonyms ? synonyms : List.of());
        if (version >= TYPE_AND_DOC_MIN_VERSION) {
            result.setConfigType(ConfigType.valueOf(key.type.name()).id())
                    .setDocumentation(includeDocumentation ? key.documentation : null);
        }
        return result;
    }

    /** A key the user set that Piste does not know: its type is unknown, so Kafka treats it as sensitive. */
    private static DescribeConfigsResourceResult unknownBrokerEntry(
            String name, boolean includeSynonyms, short version) {
        DescribeConfigsSynonym synonym = synonym(name, null, ConfigSource.STATIC_BROKER_CONFIG);
        DescribeConfigsResourceResult result = new DescribeConfigsResourceResult()
                .setName(name)
                .setValue(null)
                .setReadOnly(true)
                .setConfigSource(ConfigSource.STATIC_BROKER_CONFIG.id())
                .setIsSensitive(true)
                .setSynonyms(includeSynonyms ? List.of(synonym) : List.of());
        if (version >= TYPE_AND_DOC_MIN_VERSION) {
            result.setConfigType(ConfigType.UNKNOWN.id()).setDocumentation(null);
        }
        return result;
    }

    private static List<DescribeConfigsSynonym> topicSynonyms(
            DynamicBrokerConfigs broker, Map<String, String> overrides, ConfigKey key) {
        boolean sensitive = key.type == ConfigDef.Type.PASSWORD;
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (overrides.containsKey(key.name)) {
            String value = TopicConfigs.effectiveValue(broker, overrides, key.name);
            synonyms.add(synonym(key.name, sensitive ? null : value, ConfigSource.TOPIC_CONFIG));
        }
        List<String> brokerNames = new ArrayList<>();
        for (TopicConfigs.Synonym s : TopicConfigs.synonyms(key.name)) {
            brokerNames.add(s.name());
        }
        synonyms.addAll(brokerSynonymsOf(broker, brokerNames, sensitive, true));
        return synonyms;
    }

    /**
     * Kafka lists a broker config's lower-priority synonyms after it, never the ones before it; the cluster-wide
     * default resource leaves out the per-broker ones.
     */
    private static List<DescribeConfigsSynonym> brokerSynonyms(
            DynamicBrokerConfigs broker, String name, boolean perBroker) {
        List<String> family = brokerFamily(name);
        ConfigKey key = BrokerConfig.configDef().configKeys().get(name);
        boolean sensitive = key != null && key.type == ConfigDef.Type.PASSWORD;
        List<DescribeConfigsSynonym> all =
                brokerSynonymsOf(broker, family.subList(family.indexOf(name), family.size()), sensitive, perBroker);
        int first = 0;
        while (first < all.size() && !all.get(first).name().equals(name)) {
            first++;
        }
        return all.subList(first, all.size());
    }

    private static List<String> brokerFamily(String name) {
        for (List<String> family : List.of(
                List.of("log.roll.ms", "log.roll.hours"),
                List.of("log.roll.jitter.ms", "log.roll.jitter.hours"),
                List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"),
                List.of("log.flush.interval.ms", "log.flush.scheduler.interval.ms"))) {
            if (family.contains(name)) {
                return family;
            }
        }
        return List.of(name);
    }

    /** Grouped by source first, then by synonym priority, as Kafka's {@code configSynonyms}. */
    private static List<DescribeConfigsSynonym> brokerSynonymsOf(
            DynamicBrokerConfigs broker, List<String> names, boolean sensitive, boolean perBroker) {
        ConfigDef def = BrokerConfig.configDef();
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (perBroker) {
            addSet(synonyms, broker.perBroker(), names, sensitive, ConfigSource.DYNAMIC_BROKER_CONFIG);
        }
        addSet(synonyms, broker.clusterDefaults(), names, sensitive, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        addSet(synonyms, broker.staticConfig().originals(), names, sensitive, ConfigSource.STATIC_BROKER_CONFIG);
        for (String name : names) {
            ConfigKey key = def.configKeys().get(name);
            if (key != null && key.hasDefault() && key.defaultValue != null) {
                String value = sensitive ? null : ConfigDef.convertToString(key.defaultValue, key.type);
                synonyms.add(synonym(name, value, ConfigSource.DEFAULT_CONFIG));
            }
        }
        return synonyms;
    }

    private static void addSet(
            List<DescribeConfigsSynonym> synonyms,
            Map<String, String> set,
            List<String> names,
            boolean sensitive,
            ConfigSource source) {
        for (String name : names) {
            if (set.containsKey(name)) {
                synonyms.add(synonym(name, sensitive ? null : set.get(name), source));
            }
        }
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    private static byte source(List<DescribeConfigsSynonym> synonyms) {
        return synonyms.isEmpty()
                ? ConfigSource.DEFAULT_CONFIG.id()
                : synonyms.get(0).source();
    }
}
