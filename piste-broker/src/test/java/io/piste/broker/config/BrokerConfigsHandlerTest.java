package io.piste.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.piste.storage.log.LogConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dynamic broker configs through {@link ConfigsHandler}: the BROKER resources "" (cluster default) and "1". */
class BrokerConfigsHandlerTest {
    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;
    private static final String DEFAULT = BrokerConfigStore.CLUSTER_DEFAULT;

    private final ConfigsHandlerTest.InMemoryStore store = new ConfigsHandlerTest.InMemoryStore();
    private BrokerConfig broker;
    private ConfigsHandler handler;

    @BeforeEach
    void setUp() {
        broker = new BrokerConfig(Map.of("node.id", "1", "log.retention.ms", "1000", "log.retention.hours", "2"));
        handler = new ConfigsHandler(broker, store, store);
        store.topics.put("t", new TreeMap<>(Map.of("retention.ms", "500")));
        store.topics.put("u", new TreeMap<>());
    }

    @Test
    void shouldSetAndDeleteClusterWideDefault() {
        AlterConfigsResourceResponse r = incremental(false, "", op("log.retention.ms", SET, "5000"));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.errorMessage()).isNull();
        assertThat(store.brokers.get(DEFAULT)).isEqualTo(Map.of("log.retention.ms", "5000"));

        DescribeConfigsResourceResult retention = describeConfig(TOPIC, "u", "retention.ms");
        assertThat(retention.value()).isEqualTo("5000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());

        r = incremental(false, "", op("log.retention.ms", DELETE, null));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(store.brokers.get(DEFAULT)).isEmpty();
        retention = describeConfig(TOPIC, "u", "retention.ms");
        assertThat(retention.value()).isEqualTo("1000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
    }

    @Test
    void shouldResolveTopicThenBrokerThenDefaultThenStatic() {
        incremental(false, "", op("log.retention.ms", SET, "5000"));
        incremental(false, "1", op("log.retention.ms", SET, "7000"));
        assertThat(store.brokers.get("1")).isEqualTo(Map.of("log.retention.ms", "7000"));

        DescribeConfigsResourceResult u = describeConfig(TOPIC, "u", "retention.ms");
        assertThat(u.value()).isEqualTo("7000");
        assertThat(u.configSource()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG.id());
        assertThat(u.synonyms())
                .extracting(DescribeConfigsSynonym::name, DescribeConfigsSynonym::value, DescribeConfigsSynonym::source)
                .containsExactly(
                        tuple("log.retention.ms", "7000", ConfigSource.DYNAMIC_BROKER_CONFIG.id()),
                        tuple("log.retention.ms", "5000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()),
                        tuple("log.retention.ms", "1000", ConfigSource.STATIC_BROKER_CONFIG.id()),
                        tuple("log.retention.hours", "2", ConfigSource.STATIC_BROKER_CONFIG.id()),
                        tuple("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG.id()));

        DescribeConfigsResourceResult t = describeConfig(TOPIC, "t", "retention.ms");
        assertThat(t.value()).isEqualTo("500");
        assertThat(t.configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        assertThat(t.synonyms())
                .extracting(DescribeConfigsSynonym::source)
                .startsWith(
                        ConfigSource.TOPIC_CONFIG.id(), ConfigSource.DYNAMIC_BROKER_CONFIG.id(),
                        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id(), ConfigSource.STATIC_BROKER_CONFIG.id());

        incremental(false, "1", op("log.retention.ms", DELETE, null));
        assertThat(describeConfig(TOPIC, "u", "retention.ms").value()).isEqualTo("5000");
    }

    @Test
    void shouldDescribeThisBrokerWithDynamicSourcesAndTheDefaultResourceWithDefaultsOnly() {
        incremental(false, "", op("log.retention.ms", SET, "5000"), op("log.segment.bytes", SET, "2097152"));
        incremental(false, "1", op("log.retention.ms", SET, "7000"));

        DescribeConfigsResourceResult retention = describeConfig(BROKER, "1", "log.retention.ms");
        assertThat(retention.value()).isEqualTo("7000");
        assertThat(retention.readOnly()).isFalse();
        assertThat(retention.configSource()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG.id());
        assertThat(retention.synonyms())
                .extracting(DescribeConfigsSynonym::source)
                .containsExactly(
                        ConfigSource.DYNAMIC_BROKER_CONFIG.id(),
                        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id(),
                        ConfigSource.STATIC_BROKER_CONFIG.id(),
                        ConfigSource.STATIC_BROKER_CONFIG.id(),
                        ConfigSource.DEFAULT_CONFIG.id());
        DescribeConfigsResourceResult segment = describeConfig(BROKER, "1", "log.segment.bytes");
        assertThat(segment.value()).isEqualTo("2097152");
        assertThat(segment.configSource()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());

        DescribeConfigsResult defaults = describe(BROKER, "", null);
        assertThat(defaults.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(defaults.configs())
                .extracting(
                        DescribeConfigsResourceResult::name,
                        DescribeConfigsResourceResult::value,
                        DescribeConfigsResourceResult::configSource)
                .containsExactly(
                        tuple("log.retention.ms", "5000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()),
                        tuple("log.segment.bytes", "2097152", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()));
        DescribeConfigsResourceResult defaultRetention = defaults.configs().get(0);
        assertThat(defaultRetention.readOnly()).isFalse();
        assertThat(defaultRetention.synonyms())
                .extracting(DescribeConfigsSynonym::source)
                .containsExactly(
                        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id(), ConfigSource.STATIC_BROKER_CONFIG.id(),
                        ConfigSource.STATIC_BROKER_CONFIG.id(), ConfigSource.DEFAULT_CONFIG.id());
        assertThat(describe(BROKER, "", List.of("log.segment.bytes")).configs())
                .extracting(DescribeConfigsResourceResult::name)
                .containsExactly("log.segment.bytes");
    }

    @Test
    void shouldRefuseConfigsThatAreNotDynamic() {
        AlterConfigsResourceResponse r = incremental(false, "", op("log.dirs", SET, "/tmp/x"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(r.errorMessage()).isEqualTo("Cannot update these configs dynamically: [log.dirs]");

        r = incremental(
                false,
                "1",
                op("listeners", SET, "PLAINTEXT://:9093"),
                op("log.retention.hours", SET, "1"),
                op("log.retention.ms", SET, "1"),
                op("no.such.config", SET, "1"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(r.errorMessage())
                .isEqualTo("Cannot update these configs dynamically: [listeners, log.retention.hours, no.such.config]");

        AlterConfigsResponseData.AlterConfigsResourceResponse legacy = legacyAlter(false, "", Map.of("node.id", "2"));
        assertThat(legacy.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(legacy.errorMessage()).contains("[node.id]");
        assertThat(store.writes).isZero();
    }

    @Test
    void shouldRefuseBadValuesAndOtherBrokers() {
        AlterConfigsResourceResponse r = incremental(false, "", op("log.retention.ms", SET, "abc"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(r.errorMessage()).contains("Invalid value abc for configuration log.retention.ms");

        r = incremental(false, "1", op("log.segment.bytes", SET, "10"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(r.errorMessage())
                .isEqualTo("Invalid value 10 for configuration log.segment.bytes: Value must be at least 1048576");

        r = incremental(
                false,
                "",
                op("log.cleaner.min.compaction.lag.ms", SET, "10"),
                op("log.cleaner.max.compaction.lag.ms", SET, "5"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());

        r = incremental(false, "", op("log.retention.ms", SET, null));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(r.errorMessage()).isEqualTo("Null value not supported for : log.retention.ms");

        r = incremental(false, "2", op("log.retention.ms", SET, "1"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(r.errorMessage()).isEqualTo("Unexpected broker id, expected 1, but received 2");

        r = incremental(false, "one", op("log.retention.ms", SET, "1"));
        assertThat(r.errorMessage()).isEqualTo("Node id must be an integer, but it is: one");

        r = incremental(false, "", op("log.retention.ms", APPEND, "1"));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(r.errorMessage()).isEqualTo("Config value append is not allowed for config key: log.retention.ms");
        assertThat(store.writes).isZero();
    }

    @Test
    void shouldWriteNothingWhenValidateOnly() {
        assertThat(incremental(true, "", op("log.retention.ms", SET, "5000")).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(legacyAlter(true, "1", Map.of("log.retention.ms", "5000")).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(incremental(true, "", op("log.dirs", SET, "/x")).errorCode())
                .isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(store.writes).isZero();
        assertThat(store.brokers).isEmpty();
    }

    @Test
    void shouldAppendToListsAndReplaceAllWithLegacyAlter() {
        incremental(false, "", op("log.cleanup.policy", APPEND, "compact"), op("message.max.bytes", SET, "2000"));
        assertThat(store.brokers.get(DEFAULT))
                .isEqualTo(Map.of("log.cleanup.policy", "delete,compact", "message.max.bytes", "2000"));
        assertThat(describeConfig(TOPIC, "u", "cleanup.policy").value()).isEqualTo("delete,compact");
        assertThat(describeConfig(TOPIC, "u", "max.message.bytes").value()).isEqualTo("2000");

        AlterConfigsResponseData.AlterConfigsResourceResponse r =
                legacyAlter(false, "", Map.of("log.segment.bytes", "2097152"));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(store.brokers.get(DEFAULT)).isEqualTo(Map.of("log.segment.bytes", "2097152"));
    }

    @Test
    void shouldReportStorageErrors() {
        store.failWrites = true;
        AlterConfigsResourceResponse r = incremental(false, "1", op("log.retention.ms", SET, "1"));
        assertThat(r.errorCode()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
        assertThat(r.errorMessage()).contains("disk full");
    }

    @Test
    void shouldBuildLogConfigsFromPerBrokerThenDefaultThenStatic() {
        DynamicBrokerConfigs effective = DynamicBrokerConfigs.of(
                broker,
                Map.of("log.segment.bytes", "2097152", "message.max.bytes", "3000"),
                Map.of("log.segment.bytes", "3145728"));
        LogConfig config = TopicConfigs.logConfig(effective, Map.of());
        assertThat(config.segmentBytes()).isEqualTo(3145728);
        assertThat(config.maxMessageBytes()).isEqualTo(3000);
        assertThat(TopicConfigs.logConfig(effective, Map.of("segment.bytes", "4194304"))
                        .segmentBytes())
                .isEqualTo(4194304);
        assertThat(TopicConfigs.effectiveValue(effective, Map.of(), "retention.ms"))
                .isEqualTo("1000");
    }

    @Test
    void shouldSkipStoredConfigsThatAreNoLongerValid() {
        DynamicBrokerConfigs effective = DynamicBrokerConfigs.of(
                broker, Map.of("log.segment.bytes", "12", "log.dirs", "/x", "log.retention.ms", "9"), Map.of());
        assertThat(effective.clusterDefaults()).isEqualTo(Map.of("log.retention.ms", "9"));
        assertThat(TopicConfigs.logConfig(effective, Map.of()).segmentBytes()).isEqualTo(1024 * 1024 * 1024);
    }

    @Test
    void shouldMakeThePrimaryLogSynonymsDynamic() {
        assertThat(DynamicBrokerConfigs.dynamicNames())
                .contains(
                        "log.segment.bytes",
                        "log.roll.ms",
                        "log.retention.ms",
                        "log.retention.bytes",
                        "log.cleanup.policy",
                        "log.index.interval.bytes",
                        "log.index.size.max.bytes",
                        "log.flush.interval.messages",
                        "log.flush.interval.ms",
                        "log.message.timestamp.type",
                        "log.message.timestamp.before.max.ms",
                        "log.message.timestamp.after.max.ms",
                        "log.preallocate",
                        "log.segment.delete.delay.ms",
                        "compression.type",
                        "min.insync.replicas",
                        "unclean.leader.election.enable",
                        "message.max.bytes")
                .doesNotContain(
                        "log.roll.hours",
                        "log.retention.hours",
                        "log.retention.minutes",
                        "log.flush.scheduler.interval.ms",
                        "num.partitions",
                        "log.dirs",
                        "listeners",
                        "node.id");
    }

    private DescribeConfigsResult describe(byte type, String name, List<String> keys) {
        List<DescribeConfigsRequestData.DescribeConfigsResource> resources = new ArrayList<>();
        resources.add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(type)
                .setResourceName(name)
                .setConfigurationKeys(keys));
        DescribeConfigsRequestData req =
                new DescribeConfigsRequestData().setResources(resources).setIncludeSynonyms(true);
        return handler.describe(req, (short) 4).results().get(0);
    }

    private DescribeConfigsResourceResult describeConfig(byte type, String name, String key) {
        DescribeConfigsResult result = describe(type, name, List.of(key));
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.configs()).hasSize(1);
        return result.configs().get(0);
    }

    private static IncrementalAlterConfigsRequestData.AlterableConfig op(String name, byte op, String value) {
        return new IncrementalAlterConfigsRequestData.AlterableConfig()
                .setName(name)
                .setConfigOperation(op)
                .setValue(value);
    }

    private AlterConfigsResourceResponse incremental(
            boolean validateOnly, String name, IncrementalAlterConfigsRequestData.AlterableConfig... ops) {
        IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
                new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
        for (IncrementalAlterConfigsRequestData.AlterableConfig c : ops) {
            configs.add(c);
        }
        IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
                new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
        resources.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(BROKER)
                .setResourceName(name)
                .setConfigs(configs));
        return handler.incrementalAlter(new IncrementalAlterConfigsRequestData()
                        .setResources(resources)
                        .setValidateOnly(validateOnly))
                .responses()
                .get(0);
    }

    private AlterConfigsResponseData.AlterConfigsResourceResponse legacyAlter(
            boolean validateOnly, String name, Map<String, String> values) {
        AlterConfigsRequestData.AlterableConfigCollection configs =
                new AlterConfigsRequestData.AlterableConfigCollection();
        values.forEach((k, v) -> configs.add(
                new AlterConfigsRequestData.AlterableConfig().setName(k).setValue(v)));
        AlterConfigsRequestData.AlterConfigsResourceCollection resources =
                new AlterConfigsRequestData.AlterConfigsResourceCollection();
        resources.add(new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(BROKER)
                .setResourceName(name)
                .setConfigs(configs));
        return handler.alter(
                        new AlterConfigsRequestData().setResources(resources).setValidateOnly(validateOnly))
                .responses()
                .get(0);
    }
}
