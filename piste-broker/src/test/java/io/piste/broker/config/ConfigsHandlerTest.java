package io.piste.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConfigsHandlerTest {
    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;
    private static final byte SUBTRACT = 3;

    private final InMemoryStore store = new InMemoryStore();
    private BrokerConfig broker;
    private ConfigsHandler handler;

    /** Topic overrides and dynamic broker configs in maps; counts writes so validateOnly can be checked. */
    static final class InMemoryStore implements TopicConfigStore, BrokerConfigStore {
        final Map<String, Map<String, String>> topics = new HashMap<>();
        final Map<String, Map<String, String>> brokers = new HashMap<>();
        int writes;
        boolean failWrites;

        @Override
        public Map<String, String> brokerConfigs(String scope) {
            return Map.copyOf(brokers.getOrDefault(scope, Map.of()));
        }

        @Override
        public void replaceBrokerConfigs(String scope, Map<String, String> configs) throws IOException {
            if (failWrites) {
                throw new IOException("disk full");
            }
            writes++;
            brokers.put(scope, new TreeMap<>(configs));
        }

        @Override
        public boolean topicExists(String topic) {
            return topics.containsKey(topic);
        }

        @Override
        public Map<String, String> topicOverrides(String topic) {
            return Map.copyOf(topics.getOrDefault(topic, Map.of()));
        }

        @Override
        public void replaceTopicOverrides(String topic, Map<String, String> overrides) throws IOException {
            if (failWrites) {
                throw new IOException("disk full");
            }
            writes++;
            topics.put(topic, new TreeMap<>(overrides));
        }
    }

    @BeforeEach
    void setUp() {
        broker = new BrokerConfig(Map.of(
                "node.id", "1", "log.retention.ms", "1000", "log.retention.hours", "2", "some.secret.plugin", "x"));
        handler = new ConfigsHandler(broker, store, store);
        store.topics.put("t", new TreeMap<>(Map.of("retention.ms", "500")));
    }

    @Test
    void shouldDescribeTopicSourcesAndSynonymsInKafkaOrder() {
        DescribeConfigsResult result = describeOne(TOPIC, "t", null, true, true, (short) 4);

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.configs())
                .extracting(DescribeConfigsResourceResult::name)
                .containsAll(TopicConfigs.names())
                .hasSize(TopicConfigs.names().size());
        DescribeConfigsResourceResult retention = config(result, "retention.ms");
        assertThat(retention.value()).isEqualTo("500");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        assertThat(retention.readOnly()).isFalse();
        assertThat(retention.synonyms())
                .extracting(DescribeConfigsSynonym::name, DescribeConfigsSynonym::value, DescribeConfigsSynonym::source)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("retention.ms", "500", ConfigSource.TOPIC_CONFIG.id()),
                        org.assertj.core.groups.Tuple.tuple(
                                "log.retention.ms", "1000", ConfigSource.STATIC_BROKER_CONFIG.id()),
                        org.assertj.core.groups.Tuple.tuple(
                                "log.retention.hours", "2", ConfigSource.STATIC_BROKER_CONFIG.id()),
                        org.assertj.core.groups.Tuple.tuple(
                                "log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG.id()));
        assertThat(retention.configType()).isEqualTo(ConfigType.LONG.id());
        assertThat(retention.documentation()).contains("retain a log");

        DescribeConfigsResourceResult segment = config(result, "segment.bytes");
        assertThat(segment.value()).isEqualTo("1073741824");
        assertThat(segment.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(segment.synonyms()).extracting(DescribeConfigsSynonym::name).containsExactly("log.segment.bytes");

        DescribeConfigsResourceResult policy = config(result, "cleanup.policy");
        assertThat(policy.configType()).isEqualTo(ConfigType.LIST.id());
        assertThat(config(result, "preallocate").configType()).isEqualTo(ConfigType.BOOLEAN.id());
    }

    @Test
    void shouldTakeSourceFromBrokerWhenTopicHasNoOverride() {
        store.topics.put("u", new TreeMap<>());
        DescribeConfigsResult result = describeOne(TOPIC, "u", List.of("retention.ms"), false, false, (short) 4);

        assertThat(result.configs()).hasSize(1);
        DescribeConfigsResourceResult retention = result.configs().get(0);
        assertThat(retention.value()).isEqualTo("1000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(retention.synonyms()).isEmpty();
        assertThat(retention.documentation()).isNull();
    }

    @Test
    void shouldLeaveTypeAndDocumentationOutBeforeVersion3() {
        DescribeConfigsResult result = describeOne(TOPIC, "t", List.of("segment.ms"), true, true, (short) 2);
        DescribeConfigsResourceResult segmentMs = result.configs().get(0);
        assertThat(segmentMs.configType()).isEqualTo((byte) 0);
        assertThat(segmentMs.documentation()).isNullOrEmpty();
        assertThat(segmentMs.value()).isEqualTo("604800000");
    }

    @Test
    void shouldSerializeResponsesAtEveryVersion() {
        DescribeConfigsRequestData req = describeRequest(TOPIC, "t", null, true, true);
        req.resources()
                .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                        .setResourceType(BROKER)
                        .setResourceName("1"));
        for (short version = 1; version <= 4; version++) {
            DescribeConfigsResponseData response = handler.describe(req, version);
            assertThat(MessageUtil.toByteBufferAccessor(response, version)
                            .buffer()
                            .remaining())
                    .isPositive();
        }
        for (CreatableTopicConfigs c : ConfigDescriber.forCreateTopics(broker, Map.of())) {
            assertThat(c.name()).isNotEmpty();
        }
    }

    @Test
    void shouldAnswerUnknownTopicAndResourceType() {
        assertThat(describeOne(TOPIC, "nope", null, false, false, (short) 4).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(describeOne(TOPIC, "", null, false, false, (short) 4).errorCode())
                .isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        DescribeConfigsResult unknownType = describeOne((byte) 42, "x", null, false, false, (short) 4);
        assertThat(unknownType.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(unknownType.errorMessage()).contains("42");
    }

    @Test
    void shouldDescribeThisBrokerOnly() {
        DescribeConfigsResult result = describeOne(BROKER, "1", null, true, true, (short) 4);
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        DescribeConfigsResourceResult retention = config(result, "log.retention.ms");
        assertThat(retention.value()).isEqualTo("1000");
        assertThat(retention.readOnly()).isFalse();
        assertThat(config(result, "log.retention.hours").readOnly()).isTrue();
        assertThat(config(result, "log.dirs").readOnly()).isTrue();
        assertThat(retention.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(retention.synonyms())
                .extracting(DescribeConfigsSynonym::name)
                .containsExactly("log.retention.ms", "log.retention.hours", "log.retention.hours");
        DescribeConfigsResourceResult segment = config(result, "log.segment.bytes");
        assertThat(segment.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(segment.value()).isEqualTo("1073741824");
        DescribeConfigsResourceResult rollMs = config(result, "log.roll.ms");
        assertThat(rollMs.value()).isNull();
        assertThat(rollMs.synonyms()).isEmpty();
        DescribeConfigsResourceResult unknown = config(result, "some.secret.plugin");
        assertThat(unknown.isSensitive()).isTrue();
        assertThat(unknown.value()).isNull();
        assertThat(config(result, "log.flush.on.ack").documentation()).contains("fsynced");
        assertThat(config(result, "log.flush.method").value()).isEqualTo("auto");
        assertThat(config(result, "log.flush.method").documentation()).contains("syncfs");

        assertThat(describeOne(BROKER, "", null, true, true, (short) 4).configs())
                .isEmpty();
        assertThat(describeOne(BROKER, "2", null, true, true, (short) 4).errorCode())
                .isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(describeOne(BROKER, "one", null, true, true, (short) 4).errorMessage())
                .contains("must be an integer");
    }

    @Test
    void shouldSetDeleteAppendAndSubtract() {
        AlterConfigsResourceResponse r = incremental(
                false,
                TOPIC,
                "t",
                op("segment.ms", SET, "1000"),
                op("retention.ms", DELETE, null),
                op("cleanup.policy", APPEND, "compact"));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.errorMessage()).isNull();
        assertThat(store.topics.get("t"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("segment.ms", "1000", "cleanup.policy", "delete,compact"));

        r = incremental(
                false,
                TOPIC,
                "t",
                op("cleanup.policy", SUBTRACT, "delete"),
                op("leader.replication.throttled.replicas", APPEND, "0:1,1:1"));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(store.topics.get("t"))
                .containsEntry("cleanup.policy", "compact")
                .containsEntry("leader.replication.throttled.replicas", "0:1,1:1");

        r = incremental(false, TOPIC, "t", op("cleanup.policy", APPEND, "compact"));
        assertThat(store.topics.get("t")).containsEntry("cleanup.policy", "compact");
    }

    @Test
    void shouldRejectBadIncrementalChangesPerResource() {
        AlterConfigsResourceResponse r = incremental(false, TOPIC, "t", op("segment.ms", APPEND, "1"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(r.errorMessage()).contains("segment.ms").contains("LIST");

        r = incremental(false, TOPIC, "t", op("segment.bytes", SET, "10"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(r.errorMessage())
                .isEqualTo("Invalid value 10 for configuration segment.bytes: Value must be at least 1048576");

        r = incremental(false, TOPIC, "t", op("no.such.config", DELETE, null));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(r.errorMessage()).isEqualTo("Unknown topic config name: no.such.config");

        r = incremental(false, TOPIC, "t", op("segment.ms", (byte) 9, "1"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());

        r = incremental(false, TOPIC, "missing", op("segment.ms", SET, "1"));
        assertThat(r.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());

        r = incremental(false, BROKER, "1", op("num.io.threads", SET, "1"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(r.errorMessage()).isEqualTo("Cannot update these configs dynamically: [num.io.threads]");

        r = incremental(false, (byte) 8, "root", op("x", SET, "DEBUG"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());

        assertThat(store.writes).isZero();
        assertThat(store.topics.get("t")).isEqualTo(Map.of("retention.ms", "500"));
    }

    @Test
    void shouldWriteNothingWhenValidateOnly() {
        AlterConfigsResourceResponse r = incremental(true, TOPIC, "t", op("segment.ms", SET, "1000"));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        AlterConfigsResponseData.AlterConfigsResourceResponse legacy =
                legacyAlter(true, TOPIC, "t", Map.of("segment.ms", "1000"));
        assertThat(legacy.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(store.writes).isZero();
        assertThat(store.topics.get("t")).isEqualTo(Map.of("retention.ms", "500"));
    }

    @Test
    void shouldReplaceAllOverridesWithLegacyAlter() {
        AlterConfigsResponseData.AlterConfigsResourceResponse r =
                legacyAlter(false, TOPIC, "t", Map.of("segment.ms", "1000"));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(store.topics.get("t")).isEqualTo(Map.of("segment.ms", "1000"));

        Map<String, String> withNull = new HashMap<>();
        withNull.put("segment.ms", null);
        assertThat(legacyAlter(false, TOPIC, "t", withNull).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(legacyAlter(false, TOPIC, "t", Map.of("retention.ms", "x")).errorCode())
                .isEqualTo(Errors.INVALID_CONFIG.code());
        AlterConfigsResponseData.AlterConfigsResourceResponse brokerAlter =
                legacyAlter(false, BROKER, "", Map.of("num.io.threads", "4"));
        assertThat(brokerAlter.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(brokerAlter.errorMessage()).contains("num.io.threads");
        assertThat(store.topics.get("t")).isEqualTo(Map.of("segment.ms", "1000"));
    }

    @Test
    void shouldReportStorageErrors() {
        store.failWrites = true;
        AlterConfigsResourceResponse r = incremental(false, TOPIC, "t", op("segment.ms", SET, "1000"));
        assertThat(r.errorCode()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
        assertThat(r.errorMessage()).contains("disk full");
    }

    @Test
    void shouldListCreateTopicsConfigsWithSources() {
        List<CreatableTopicConfigs> configs = ConfigDescriber.forCreateTopics(broker, Map.of("segment.ms", "1000"));
        assertThat(configs).hasSize(TopicConfigs.names().size());
        Map<String, CreatableTopicConfigs> byName = new HashMap<>();
        configs.forEach(c -> byName.put(c.name(), c));
        assertThat(byName.get("segment.ms").value()).isEqualTo("1000");
        assertThat(byName.get("segment.ms").configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        assertThat(byName.get("retention.ms").value()).isEqualTo("1000");
        assertThat(byName.get("retention.ms").configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(byName.get("segment.bytes").configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
    }

    private DescribeConfigsResult describeOne(
            byte type, String name, List<String> keys, boolean synonyms, boolean docs, short version) {
        DescribeConfigsResponseData response =
                handler.describe(describeRequest(type, name, keys, synonyms, docs), version);
        assertThat(response.results()).hasSize(1);
        return response.results().get(0);
    }

    private static DescribeConfigsRequestData describeRequest(
            byte type, String name, List<String> keys, boolean synonyms, boolean docs) {
        List<DescribeConfigsRequestData.DescribeConfigsResource> resources = new ArrayList<>();
        resources.add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(type)
                .setResourceName(name)
                .setConfigurationKeys(keys));
        return new DescribeConfigsRequestData()
                .setResources(resources)
                .setIncludeSynonyms(synonyms)
                .setIncludeDocumentation(docs);
    }

    private static DescribeConfigsResourceResult config(DescribeConfigsResult result, String name) {
        return result.configs().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static IncrementalAlterConfigsRequestData.AlterableConfig op(String name, byte op, String value) {
        return new IncrementalAlterConfigsRequestData.AlterableConfig()
                .setName(name)
                .setConfigOperation(op)
                .setValue(value);
    }

    private AlterConfigsResourceResponse incremental(
            boolean validateOnly, byte type, String name, IncrementalAlterConfigsRequestData.AlterableConfig... ops) {
        IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
                new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
        for (IncrementalAlterConfigsRequestData.AlterableConfig c : ops) {
            configs.add(c);
        }
        IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
                new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
        resources.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(type)
                .setResourceName(name)
                .setConfigs(configs));
        IncrementalAlterConfigsRequestData req =
                new IncrementalAlterConfigsRequestData().setResources(resources).setValidateOnly(validateOnly);
        return handler.incrementalAlter(req).responses().get(0);
    }

    private AlterConfigsResponseData.AlterConfigsResourceResponse legacyAlter(
            boolean validateOnly, byte type, String name, Map<String, String> values) {
        AlterConfigsRequestData.AlterableConfigCollection configs =
                new AlterConfigsRequestData.AlterableConfigCollection();
        values.forEach((k, v) -> configs.add(
                new AlterConfigsRequestData.AlterableConfig().setName(k).setValue(v)));
        AlterConfigsRequestData.AlterConfigsResourceCollection resources =
                new AlterConfigsRequestData.AlterConfigsResourceCollection();
        resources.add(new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(type)
                .setResourceName(name)
                .setConfigs(configs));
        return handler.alter(
                        new AlterConfigsRequestData().setResources(resources).setValidateOnly(validateOnly))
                .responses()
                .get(0);
    }
}
