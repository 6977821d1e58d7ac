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
 * <p>Piste has no dynamic broker configs yet: altering a BROKER resource is answered with INVALID_REQUEST naming
 * the keys, rather than pretending to apply them. Thread-safety is the store's: two alters of one topic at once
 * must be serialised by the caller (the last replace wins).
 */
public final class ConfigsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigsHandler.class);

    private static final byte OP_SET = 0;
    private static final byte OP_DELETE = 1;
    private static final byte OP_APPEND = 2;
    private static final byte OP_SUBTRACT = 3;

    private final BrokerConfig broker;
    private final TopicConfigStore store;

    public ConfigsHandler(BrokerConfig broker, TopicConfigStore store) {
        this.broker = broker;
        this.store = store;
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
            ApiException error = apply(resource.resourceType(), resource.resourceName(), names,
                    () -> legacyOverrides(configs), req.validateOnly());
            response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
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
            String topic = resource.resourceName();
            ApiException error = apply(resource.resourceType(), topic, names,
                    () -> incrementalOverrides(topic, resource.configs()), req.validateOnly());
            response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setErrorCode(errorCode(error))
                    .setErrorMessage(error == null ? null : error.getMessage())
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName()));
        }
        return response;
    }

    private DescribeConfigsResult describeOne(DescribeConfigsRequestData.DescribeConfigsResource resource,
            boolean includeSynonyms, boolean includeDocumentation, short version) {
        byte type = resource.resourceType();
        String name = resource.resourceName();
        try {
            switch (ConfigResource.Type.forId(type)) {
                case TOPIC:
                    Topic.validate(name);
                    if (!store.topicExists(name)) {
                        throw new UnknownTopicOrPartitionException(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                    }
                    return ConfigDescriber.describeTopic(broker, name, store.topicOverrides(name),
                            resource.configurationKeys(), includeSynonyms, includeDocumentation, version);
                case BROKER:
                    return ConfigDescriber.describeBroker(broker, name, resource.configurationKeys(), includeSynonyms,
                            includeDocumentation, version);
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

    /** Computes a topic's new overrides from the request; throws an ApiException to reject it. */
    private interface OverridesChange {
        Map<String, String> newOverrides();
    }

    /** Returns null on success, else the error for this resource. */
    private ApiException apply(byte type, String name, List<String> configNames, OverridesChange change,
            boolean validateOnly) {
        try {
            checkNoDuplicates(configNames);
            switch (ConfigResource.Type.forId(type)) {
                case TOPIC:
                    alterTopic(name, change, validateOnly);
                    return null;
                case BROKER:
                    alterBroker(name, configNames);
                    return null;
                default:
                    throw new InvalidRequestException("Unsupported resource type: " + type);
            }
        } catch (ApiException e) {
            return e;
        } catch (IOException e) {
            LOG.error("Could not store the config overrides of topic {}", name, e);
            return new KafkaStorageException("Could not store the config overrides of topic " + name + ": "
                    + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Altering configs failed for resource type {} name {}", type, name, e);
            return new UnknownServerException(e.getMessage());
        }
    }

    private void alterTopic(String topic, OverridesChange change, boolean validateOnly) throws IOException {
        Topic.validate(topic);
        if (!store.topicExists(topic)) {
            throw new UnknownTopicOrPartitionException("The topic '" + topic + "' does not exist.");
        }
        Map<String, String> overrides = change.newOverrides();
        TopicConfigs.validate(overrides);
        if (!validateOnly) {
            store.replaceTopicOverrides(topic, overrides);
            LOG.info("Topic {} config overrides are now {}", topic, overrides);
        }
    }

    private void alterBroker(String resourceName, List<String> configNames) {
        if (!resourceName.isEmpty()) {
            ConfigDescriber.brokerId(resourceName);
        }
        if (!configNames.isEmpty()) {
            throw new InvalidRequestException("Piste does not support dynamic broker configs yet: "
                    + String.join(", ", configNames));
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

    private static Map<String, String> legacyOverrides(Map<String, String> configs) {
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (e.getValue() == null) {
                throw new InvalidRequestException("Null value not supported for topic configs: " + e.getKey());
            }
        }
        return new TreeMap<>(configs);
    }

    private Map<String, String> incrementalOverrides(String topic,
            IncrementalAlterConfigsRequestData.AlterableConfigCollection configs) {
        Map<String, String> overrides = new TreeMap<>(store.topicOverrides(topic));
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
                    throw new InvalidRequestException("Unknown config operation " + config.configOperation()
                            + " for " + name);
            }
        }
        return overrides;
    }

    /** APPEND adds the values not already in the list; SUBTRACT removes them. Starts from the effective value. */
    private String listOp(Map<String, String> overrides, ConfigKey key,
            IncrementalAlterConfigsRequestData.AlterableConfig config) {
        boolean append = config.configOperation() == OP_APPEND;
        if (key.type != ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException("Can't " + (append ? "APPEND" : "SUBTRACT") + " to key "
                    + key.name + " because its type is not LIST.");
        }
        List<String> values = split(TopicConfigs.effectiveValue(broker, overrides, key.name));
        for (String part : split(config.value())) {
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
