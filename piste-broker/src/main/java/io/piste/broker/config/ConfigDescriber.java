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
 * <p>A topic config's synonyms are, in Kafka's order: the topic override ({@code DYNAMIC_TOPIC_CONFIG}), the broker
 * synonyms the user set ({@code STATIC_BROKER_CONFIG}), then the broker synonyms with a default
 * ({@code DEFAULT_CONFIG}); the first is the config's source. Deviation: where only a lower-priority synonym is set
 * (say {@code log.retention.hours}), Kafka drops the whole list and reports DEFAULT_CONFIG; Piste reports the
 * synonym that gives the value. Broker configs are all read-only: Piste has no dynamic broker configs yet.
 * Stateless and thread-safe.
 */
public final class ConfigDescriber {
    /** DescribeConfigs v3 added ConfigType and Documentation. */
    private static final short TYPE_AND_DOC_MIN_VERSION = 3;

    private ConfigDescriber() {
    }

    /** The result for a topic that exists, with its stored overrides; {@code keys} null means all. */
    public static DescribeConfigsResult describeTopic(BrokerConfig broker, String topic, Map<String, String> overrides,
            List<String> keys, boolean includeSynonyms, boolean includeDocumentation, short version) {
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
     * The result for a BROKER resource: all static configs for this node's id, none for "" (the cluster-wide dynamic
     * defaults, of which Piste has none), INVALID_REQUEST for another id, as Kafka.
     */
    public static DescribeConfigsResult describeBroker(BrokerConfig broker, String resourceName, List<String> keys,
            boolean includeSynonyms, boolean includeDocumentation, short version) {
        if (resourceName == null || resourceName.isEmpty()) {
            return success(ConfigResource.Type.BROKER, "", List.of());
        }
        int id = brokerId(resourceName);
        if (id != broker.nodeId()) {
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                    + " or empty string, but received " + resourceName);
        }
        ConfigDef def = BrokerConfig.configDef();
        Set<String> names = new TreeSet<>(broker.originals().keySet());
        for (ConfigKey key : def.configKeys().values()) {
            if (!key.internalConfig) {
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
            List<DescribeConfigsSynonym> synonyms = brokerSynonyms(broker, name);
            configs.add(entry(key, broker.value(name), synonyms, true, includeSynonyms, includeDocumentation, version));
        }
        return success(ConfigResource.Type.BROKER, resourceName, configs);
    }

    /** The configs of a topic as CreateTopics v5+ returns them. */
    public static List<CreatableTopicConfigs> forCreateTopics(BrokerConfig broker, Map<String, String> overrides) {
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

    private static DescribeConfigsResult success(ConfigResource.Type type, String name,
            List<DescribeConfigsResourceResult> configs) {
        return new DescribeConfigsResult()
                .setErrorCode(Errors.NONE.code())
                .setErrorMessage(null)
                .setResourceType(type.id())
                .setResourceName(name)
                .setConfigs(configs);
    }

    private static DescribeConfigsResourceResult entry(ConfigKey key, Object value,
            List<DescribeConfigsSynonym> synonyms, boolean readOnly, boolean includeSynonyms,
            boolean includeDocumentation, short version) {
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
    private static DescribeConfigsResourceResult unknownBrokerEntry(String name, boolean includeSynonyms,
            short version) {
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

    private static List<DescribeConfigsSynonym> topicSynonyms(BrokerConfig broker, Map<String, String> overrides,
            ConfigKey key) {
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
        synonyms.addAll(brokerSynonymsOf(broker, brokerNames, sensitive));
        return synonyms;
    }

    /** Kafka lists a broker config's lower-priority synonyms after it, never the ones before it. */
    private static List<DescribeConfigsSynonym> brokerSynonyms(BrokerConfig broker, String name) {
        List<String> family = brokerFamily(name);
        ConfigKey key = BrokerConfig.configDef().configKeys().get(name);
        boolean sensitive = key != null && key.type == ConfigDef.Type.PASSWORD;
        List<DescribeConfigsSynonym> all = brokerSynonymsOf(broker, family.subList(family.indexOf(name),
                family.size()), sensitive);
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

    private static List<DescribeConfigsSynonym> brokerSynonymsOf(BrokerConfig broker, List<String> names,
            boolean sensitive) {
        ConfigDef def = BrokerConfig.configDef();
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        for (String name : names) {
            if (broker.isSet(name)) {
                String value = sensitive ? null : broker.originals().get(name);
                synonyms.add(synonym(name, value, ConfigSource.STATIC_BROKER_CONFIG));
            }
        }
        for (String name : names) {
            ConfigKey key = def.configKeys().get(name);
            if (key != null && key.hasDefault() && key.defaultValue != null) {
                String value = sensitive ? null : ConfigDef.convertToString(key.defaultValue, key.type);
                synonyms.add(synonym(name, value, ConfigSource.DEFAULT_CONFIG));
            }
        }
        return synonyms;
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    private static byte source(List<DescribeConfigsSynonym> synonyms) {
        return synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG.id() : synonyms.get(0).source();
    }
}
