package io.piste.broker.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers DescribeConfigs, AlterConfigs (the legacy API: the request replaces all of a topic's overrides) and
 * IncrementalAlterConfigs (SET, DELETE, and APPEND or SUBTRACT on list configs). Each resource gets its own error
 * code, as in Kafka; with {@code validateOnly} everything is checked and nothing is written.
 *
 * <p>A BROKER resource holds Kafka's dynamic broker configs ({@link DynamicBrokerConfigs}): named "" for the
 * cluster-wide defaults, or this node's id. As Kafka's broker, a config that is not dynamic or a bad value is
 * answered with INVALID_REQUEST (not INVALID_CONFIG, see KAFKA-13609), and the legacy AlterConfigs replaces all of the
 * resource's dynamic configs. Thread-safety is the stores': two alters of one resource at once must be serialised by
 * the caller (the last replace wins).
 */
public final class ConfigsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigsHandler.class);

    private static final byte OP_SET = 0;
    private static final byte OP_DELETE = 1;
    private static final byte OP_APPEND = 2;
    private static final byte OP_SUBTRACT = 3;

    private final BrokerConfig broker;
    private final TopicConfigStore store;
    private final BrokerConfigStore brokerStore;

    public ConfigsHandler(BrokerConfig broker, TopicConfigStore store, BrokerConfigStore brokerStore) {
        this.broker = broker;
        this.store = store;
        this.brokerStore = brokerStore;
    }

    /** The static config under the dynamic configs stored now. */
    private DynamicBrokerConfigs effective() {
        return DynamicBrokerConfigs.of(
                broker,
                brokerStore.brokerConfigs(BrokerConfigStore.CLUSTER_DEFAULT),
                brokerStore.brokerConfigs(nodeScope()));
    }

    private String nodeScope() {
        return Integer.toString(broker.nodeId());
    }

    public DescribeConfigsResponseData describe(DescribeConfigsRequestData req, short version) {
        DescribeConfigsResponseData response = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : req.resources()) {
            response.results().add(describeOne(resource, req.includeSynonyms(), req.includeDocumentation(), version));
        }
        return response;
    }

    public AlterConfigsResponseData alter(AlterConfigsRequestData req) {
        AlterConfigsResponseData response = new AlterConfigsResponseData().setThrottleTimeMs(0);
        for (AlterConfigsRequestData.AlterConfigsResource resource : req.resources()) {
            Map<String, String> configs = new LinkedHashMap<>();
            List<String> names = new ArrayList<>();
            for (AlterConfigsRequestData.AlterableConfig config : resource.configs()) {
                names.add(config.name());
                configs.put(config.name(), config.value());
            }
            byte type = resource.resourceType();
            ApiException error = apply(
                    type, resource.resourceName(), names, current -> legacyConfigs(type, configs), req.validateOnly());
            response.responses()
                    .add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setErrorCode(errorCode(error))
                            .setErrorMessage(error == null ? null : error.getMessage())
                            .setResourceType(resource.resourceType())
                            .setResourceName(resource.resourceName()));
        }
        return response;
    }

    public IncrementalAlterConfigsResponseData incrementalAlter(IncrementalAlterConfigsRequestData req) {
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0);
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : req.resources()) {
            List<String> names = new ArrayList<>();
            for (IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs()) {
                names.add(config.name());
            }
            ApiException error = apply(
                    resource.resourceType(),
                    resource.resourceName(),
                    names,
                    current -> resource.resourceType() == ConfigResource.Type.BROKER.id()
                            ? incrementalBrokerConfigs(current, resource.configs())
                            : incrementalOverrides(current, resource.configs()),
                    req.validateOnly());
            response.responses()
                    .add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setErrorCode(errorCode(error))
                            .setErrorMessage(error == null ? null : error.getMessage())
                            .setResourceType(resource.resourceType())
                            .setResourceName(resource.resourceName()));
        }
        return response;
    }

    private DescribeConfigsResult describeOne(
            DescribeConfigsRequestData.DescribeConfigsResource resource,
            boolean includeSynonyms,
            boolean includeDocumentation,
            short version) {
        byte type = resource.resourceType();
        String name = resource.resourceName();
        try {
            switch (ConfigResource.Type.forId(type)) {
                case TOPIC:
                    Topic.validate(name);
                    if (!store.topicExists(name)) {
                        throw new UnknownTopicOrPartitionException(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                    }
                    return ConfigDescriber.describeTopic(
                            effective(),
                            name,
                            store.topicOverrides(name),
                            resource.configurationKeys(),
                            includeSynonyms,
                            includeDocumentation,
                            version);
                case BROKER:
                    return ConfigDescriber.describeBroker(
                            effective(),
                            name,
                            resource.configurationKeys(),
                            includeSynonyms,
                            includeDocumentation,
                            version);
                default:
                    throw new InvalidRequestException("Unsupported resource type: " + type);
            }
        } catch (ApiException e) {
            return ConfigDescriber.error(type, name, e);
        } catch (RuntimeException e) {
            LOG.error("DescribeConfigs failed for resource type {} name {}", type, name, e);
            return ConfigDescriber.error(type, name, new UnknownServerException(e.getMessage()));
        }
    }

    /**
     * Computes a resource's new configs (a topic's overrides, a broker scope's dynamic configs) from its current ones
     * and the request; throws an ApiException to reject the request.
     */
    private interface ConfigsChange {
        Map<String, String> newConfigs(Map<String, String> current);
    }

    /** Returns null on success, else the error for this resource. */
    private ApiException apply(
            byte type, String name, List<String> configNames, ConfigsChange change, boolean validateOnly) {
        try {
            checkNoDuplicates(configNames);
            switch (ConfigResource.Type.forId(type)) {
                case TOPIC:
                    alterTopic(name, change, validateOnly);
                    return null;
                case BROKER:
                    alterBroker(name, change, validateOnly);
                    return null;
                default:
                    throw new InvalidRequestException("Unsupported resource type: " + type);
            }
        } catch (ApiException e) {
            return e;
        } catch (IOException e) {
            String what = type == ConfigResource.Type.BROKER.id()
                    ? "the dynamic configs of broker resource '" + name + "'"
                    : "the config overrides of topic " + name;
            LOG.error("Could not store {}", what, e);
            return new KafkaStorageException("Could not store " + what + ": " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Altering configs failed for resource type {} name {}", type, name, e);
            return new UnknownServerException(e.getMessage());
        }
    }

    private void alterTopic(String topic, ConfigsChange change, boolean validateOnly) throws IOException {
        Topic.validate(topic);
        if (!store.topicExists(topic)) {
            throw new UnknownTopicOrPartitionException("The topic '" + topic + "' does not exist.");
        }
        Map<String, String> overrides = change.newConfigs(store.topicOverrides(topic));
        TopicConfigs.validate(overrides);
        if (!validateOnly) {
            store.replaceTopicOverrides(topic, overrides);
            LOG.info("Topic {} config overrides are now {}", topic, overrides);
        }
    }

    /** "" is the cluster-wide defaults, else it must be this node's id, as Kafka's broker checks it. */
    private void alterBroker(String resourceName, ConfigsChange change, boolean validateOnly) throws IOException {
        boolean clusterDefault = resourceName.isEmpty();
        if (!clusterDefault) {
            checkIsThisNode(resourceName);
        }
        String scope = clusterDefault ? BrokerConfigStore.CLUSTER_DEFAULT : nodeScope();
        Map<String, String> configs = change.newConfigs(brokerStore.brokerConfigs(scope));
        DynamicBrokerConfigs.validate(configs);
        // The combination must still give every topic a valid log config (e.g. min <= max compaction lag).
        DynamicBrokerConfigs now = effective();
        DynamicBrokerConfigs next = now.withScope(clusterDefault, configs);
        TopicConfigs.logConfig(next, Map.of());
        CleanerConfigDef.validateChange(now, next);
        if (!validateOnly) {
            brokerStore.replaceBrokerConfigs(scope, configs);
            LOG.info(
                    "Dynamic broker configs of {} are now {}",
                    clusterDefault ? "the cluster-wide default" : "broker " + scope,
                    configs);
        }
    }

    private void checkIsThisNode(String resourceName) {
        int id;
        try {
            id = Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Node id must be an integer, but it is: " + resourceName);
        }
        if (id != broker.nodeId()) {
            throw new InvalidRequestException(
                    "Unexpected broker id, expected " + broker.nodeId() + ", but received " + resourceName);
        }
    }

    private static short errorCode(ApiException error) {
        return error == null ? Errors.NONE.code() : Errors.forException(error).code();
    }

    private static void checkNoDuplicates(List<String> names) {
        if (names.size() != names.stream().distinct().count()) {
            throw new InvalidRequestException("Error due to duplicate config keys");
        }
    }

    /** The legacy AlterConfigs replaces all of a resource's configs with the request's. */
    private static Map<String, String> legacyConfigs(byte type, Map<String, String> configs) {
        List<String> nulls = new ArrayList<>();
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (e.getValue() == null) {
                nulls.add(e.getKey());
            }
        }
        if (!nulls.isEmpty()) {
            throw new InvalidRequestException(
                    type == ConfigResource.Type.BROKER.id()
                            ? "Null value not supported for : " + String.join(", ", nulls)
                            : "Null value not supported for topic configs: " + nulls.get(0));
        }
        return new TreeMap<>(configs);
    }

    /** As Kafka's broker: start from the scope's stored configs; APPEND and SUBTRACT start from the key's default. */
    private static Map<String, String> incrementalBrokerConfigs(
            Map<String, String> current, IncrementalAlterConfigsRequestData.AlterableConfigCollection configs) {
        List<String> nulls = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : configs) {
            if (config.configOperation() != OP_DELETE && config.value() == null) {
                nulls.add(config.name());
            }
        }
        if (!nulls.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", nulls));
        }
        Map<String, String> next = new TreeMap<>(current);
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : configs) {
            String name = config.name();
            switch (config.configOperation()) {
                case OP_SET:
                    next.put(name, config.value());
                    break;
                case OP_DELETE:
                    next.remove(name);
                    break;
                case OP_APPEND:
                case OP_SUBTRACT:
                    next.put(name, brokerListOp(next.get(name), config));
                    break;
                default:
                    throw new InvalidRequestException("Unknown operations type " + config.configOperation());
            }
        }
        return next;
    }

    private static String brokerListOp(String stored, IncrementalAlterConfigsRequestData.AlterableConfig config) {
        boolean append = config.configOperation() == OP_APPEND;
        ConfigKey key = BrokerConfig.configDef().configKeys().get(config.name());
        if (key == null) {
            throw new InvalidConfigurationException("Unknown config name: " + config.name());
        }
        if (key.type != ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException("Config value " + (append ? "append" : "subtract")
                    + " is not allowed for config key: " + config.name());
        }
        String start = stored != null ? stored : ConfigDef.convertToString(key.defaultValue, key.type);
        return appendOrSubtract(start, config.value(), append);
    }

    private Map<String, String> incrementalOverrides(
            Map<String, String> current, IncrementalAlterConfigsRequestData.AlterableConfigCollection configs) {
        Map<String, String> overrides = new TreeMap<>(current);
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : configs) {
            String name = config.name();
            ConfigKey key = TopicConfigs.key(name);
            if (key == null) {
                throw new InvalidConfigurationException("Unknown topic config name: " + name);
            }
            switch (config.configOperation()) {
                case OP_SET:
                    // A SET without a value removes the override, as Kafka's controller does.
                    if (config.value() == null) {
                        overrides.remove(name);
                    } else {
                        overrides.put(name, config.value());
                    }
                    break;
                case OP_DELETE:
                    overrides.remove(name);
                    break;
                case OP_APPEND:
                case OP_SUBTRACT:
                    overrides.put(name, listOp(overrides, key, config));
                    break;
                default:
                    throw new InvalidRequestException(
                            "Unknown config operation " + config.configOperation() + " for " + name);
            }
        }
        return overrides;
    }

    /** APPEND adds the values not already in the list; SUBTRACT removes them. Starts from the effective value. */
    private String listOp(
            Map<String, String> overrides, ConfigKey key, IncrementalAlterConfigsRequestData.AlterableConfig config) {
        boolean append = config.configOperation() == OP_APPEND;
        if (key.type != ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException("Can't " + (append ? "APPEND" : "SUBTRACT") + " to key " + key.name
                    + " because its type is not LIST.");
        }
        return appendOrSubtract(TopicConfigs.effectiveValue(effective(), overrides, key.name), config.value(), append);
    }

    /** Kafka's APPEND (add the parts not there yet) or SUBTRACT (remove every copy) on a list config's value. */
    private static String appendOrSubtract(String current, String change, boolean append) {
        List<String> values = split(current);
        for (String part : split(change)) {
            if (append && !values.contains(part)) {
                values.add(part);
            } else if (!append) {
                values.removeIf(part::equals);
            }
        }
        return String.join(",", values);
    }

    private static List<String> split(String value) {
        List<String> parts = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    parts.add(part.trim());
                }
            }
        }
        return parts;
    }
}
