package io.piste.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.config.BrokerConfig.Endpoint;
import io.piste.storage.log.LogConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void shouldUseKafkaDefaultsAndPisteSingleNodeDefaults() {
        BrokerConfig config = new BrokerConfig(Map.of());

        assertThat(config.nodeId()).isEqualTo(1);
        assertThat(config.listener()).isEqualTo(new Endpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9092));
        assertThat(config.advertisedListener()).isEqualTo(config.listener());
        assertThat(config.logDirs()).containsExactly(Path.of("./data"));
        assertThat(config.numPartitions()).isEqualTo(1);
        assertThat(config.defaultReplicationFactor()).isEqualTo((short) 1);
        assertThat(config.autoCreateTopicsEnable()).isTrue();
        assertThat(config.deleteTopicEnable()).isTrue();
        assertThat(config.messageMaxBytes()).isEqualTo(1048588);
        assertThat(config.socketRequestMaxBytes()).isEqualTo(104857600);
        assertThat(config.logFlushOnAck()).isTrue();
        assertThat(config.logFlushIntervalMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.logFlushIntervalMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.logFlushOffsetCheckpointIntervalMs())
                .as("Piste default, see BrokerConfig")
                .isEqualTo(1000L);
        assertThat(config.numNetworkThreads()).isEqualTo(3);
        assertThat(config.connectionsMaxIdleMs()).isEqualTo(600_000L);
        assertThat(config.queuedMaxRequests()).isEqualTo(500);
        assertThat(config.defaultLogConfig()).isEqualTo(LogConfig.defaults());
        assertThat(config.originals()).isEmpty();
    }

    @Test
    void shouldReadFetchSessionCacheSettingsWithKafkaDefaults() {
        BrokerConfig defaults = new BrokerConfig(Map.of());
        assertThat(defaults.maxIncrementalFetchSessionCacheSlots()).isEqualTo(1000);
        assertThat(defaults.minIncrementalFetchSessionEvictionMs()).isEqualTo(120_000L);
        BrokerConfig set = new BrokerConfig(Map.of(
                "max.incremental.fetch.session.cache.slots", "0", "min.incremental.fetch.session.eviction.ms", "250"));
        assertThat(set.maxIncrementalFetchSessionCacheSlots()).isZero();
        assertThat(set.minIncrementalFetchSessionEvictionMs()).isEqualTo(250L);
        assertThatThrownBy(() -> new BrokerConfig(Map.of("max.incremental.fetch.session.cache.slots", "-1")))
                .hasMessageContaining("max.incremental.fetch.session.cache.slots");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("min.incremental.fetch.session.eviction.ms", "-5")))
                .hasMessageContaining("min.incremental.fetch.session.eviction.ms");
    }

    @Test
    void shouldTakeBrokerIdAsAliasOfNodeId() {
        assertThat(new BrokerConfig(Map.of("broker.id", "7")).nodeId()).isEqualTo(7);
        assertThat(new BrokerConfig(Map.of("node.id", "3", "broker.id", "3")).nodeId())
                .isEqualTo(3);
        assertThatThrownBy(() -> new BrokerConfig(Map.of("node.id", "3", "broker.id", "4")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broker.id")
                .hasMessageContaining("node.id");
    }

    @Test
    void shouldPreferLogDirsOverLogDir() {
        assertThat(new BrokerConfig(Map.of("log.dir", "/a")).logDirs()).containsExactly(Path.of("/a"));
        assertThat(new BrokerConfig(Map.of("log.dir", "/a", "log.dirs", "/b, /c")).logDirs())
                .containsExactly(Path.of("/b"), Path.of("/c"));
        assertThatThrownBy(() -> new BrokerConfig(Map.of("log.dirs", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("log.dirs");
    }

    @Test
    void shouldFallBackToSchedulerIntervalForFlushIntervalMs() {
        BrokerConfig config = new BrokerConfig(Map.of("log.flush.scheduler.interval.ms", "2000"));
        assertThat(config.logFlushIntervalMs()).isEqualTo(2000L);

        config = new BrokerConfig(Map.of("log.flush.scheduler.interval.ms", "2000", "log.flush.interval.ms", "500"));
        assertThat(config.logFlushIntervalMs()).isEqualTo(500L);
    }

    @Test
    void shouldRejectBadTypesAndOutOfRangeValuesNamingKeyAndValue() {
        assertThatThrownBy(() -> new BrokerConfig(Map.of("num.partitions", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.partitions")
                .hasMessageContaining("many");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("num.partitions", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.partitions");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("log.segment.bytes", "1000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("log.segment.bytes");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("log.flush.on.ack", "perhaps")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("log.flush.on.ack");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("log.cleanup.policy", "shred")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new BrokerConfig(Map.of("log.flush.method", "fdatasync")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("log.flush.method");
        assertThat(new BrokerConfig(Map.of()).logFlushMethod()).isEqualTo("auto");
        assertThat(new BrokerConfig(Map.of("log.flush.method", "syncfs")).logFlushMethod())
                .isEqualTo("syncfs");
    }

    @Test
    void shouldKeepUnknownKeys() {
        BrokerConfig config = new BrokerConfig(Map.of("some.plugin.setting", "x", "num.partitions", "4"));
        assertThat(config.originals()).containsEntry("some.plugin.setting", "x").containsEntry("num.partitions", "4");
        assertThat(config.numPartitions()).isEqualTo(4);
    }

    @Test
    void shouldBuildFromProperties() {
        Properties props = new Properties();
        props.setProperty("node.id", "5");
        props.setProperty("log.flush.on.ack", "false");
        BrokerConfig config = BrokerConfig.fromProperties(props);
        assertThat(config.nodeId()).isEqualTo(5);
        assertThat(config.logFlushOnAck()).isFalse();
    }

    @Test
    void shouldBuildDefaultLogConfigFromBrokerSettings() {
        BrokerConfig config = new BrokerConfig(Map.of(
                "log.segment.bytes", "2097152",
                "log.roll.hours", "1",
                "log.message.timestamp.type", "LogAppendTime",
                "message.max.bytes", "5000"));
        LogConfig log = config.defaultLogConfig();
        assertThat(log.segmentBytes()).isEqualTo(2097152);
        assertThat(log.segmentMs()).isEqualTo(3600000L);
        assertThat(log.logAppendTime()).isTrue();
        assertThat(log.maxMessageBytes()).isEqualTo(5000);
    }

    @Test
    void shouldParseListenerWithEphemeralPort() {
        BrokerConfig config = new BrokerConfig(Map.of("listeners", "PLAINTEXT://localhost:0"));
        assertThat(config.listener()).isEqualTo(new Endpoint("PLAINTEXT", "PLAINTEXT", "localhost", 0));
        assertThat(config.advertisedListener().port()).isZero();
        assertThat(config.listener().withPort(4321).port()).isEqualTo(4321);
    }

    @Test
    void shouldBindAllInterfacesAndAdvertiseHostNameWhenHostIsEmpty() {
        BrokerConfig config = new BrokerConfig(Map.of("listeners", "PLAINTEXT://:9093"));
        assertThat(config.listener().host()).isEmpty();
        assertThat(config.listener().port()).isEqualTo(9093);
        assertThat(config.advertisedListener().host()).isNotEmpty();
        assertThat(config.advertisedListener().port()).isEqualTo(9093);
    }

    @Test
    void shouldParseIpv6AndAdvertisedListeners() {
        BrokerConfig config = new BrokerConfig(Map.of(
                "listeners", "PLAINTEXT://[::1]:9092",
                "advertised.listeners", "PLAINTEXT://broker.example:19092"));
        assertThat(config.listener().host()).isEqualTo("::1");
        assertThat(config.listener().toString()).isEqualTo("PLAINTEXT://[::1]:9092");
        assertThat(config.advertisedListener())
                .isEqualTo(new Endpoint("PLAINTEXT", "PLAINTEXT", "broker.example", 19092));
    }

    @Test
    void shouldKeepTheControllerListenerOfKraftServerPropertiesApartFromTheBrokerListener() {
        BrokerConfig config = new BrokerConfig(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
                "advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
                "controller.listener.names", "CONTROLLER",
                "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"));
        assertThat(config.listener().port()).isEqualTo(9092);
        assertThat(config.advertisedListener().host()).isEqualTo("localhost");
        assertThat(config.controllerListener()).contains(new Endpoint("CONTROLLER", "PLAINTEXT", "127.0.0.1", 9093));
        assertThat(new BrokerConfig(Map.of("listeners", "PLAINTEXT://:9092")).controllerListener())
                .isEmpty();
    }

    @Test
    void shouldTakeAControllerOnlyNodeWhoseOnlyListenerIsItsControllerListener() {
        Map<String, String> kafkaController = new java.util.HashMap<>(Map.of(
                "process.roles", "controller",
                "listeners", "CONTROLLER://127.0.0.1:9093",
                "controller.listener.names", "CONTROLLER",
                "listener.security.protocol.map", "CONTROLLER:PLAINTEXT"));
        BrokerConfig config = new BrokerConfig(kafkaController);
        assertThat(config.listener()).as("it serves no clients").isNull();
        assertThat(config.controllerListener()).contains(new Endpoint("CONTROLLER", "PLAINTEXT", "127.0.0.1", 9093));

        kafkaController.put("process.roles", "broker,controller");
        assertThatThrownBy(() -> new BrokerConfig(kafkaController))
                .as("a broker needs a listener for its clients")
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("exactly one PLAINTEXT listener");
    }

    @Test
    void shouldRejectBadListeners() {
        for (String bad : List.of(
                "SSL://localhost:9093",
                "PLAINTEXT://localhost:70000",
                "PLAINTEXT://localhost",
                "localhost:9092",
                "PLAINTEXT://localhost:port",
                "PLAINTEXT://a:1,PLAINTEXT://b:2",
                "UNKNOWN://localhost:9092",
                "PLAINTEXT://::1:9092",
                "")) {
            assertThatThrownBy(() -> new BrokerConfig(Map.of("listeners", bad)))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listeners");
        }
        assertThatThrownBy(() -> new BrokerConfig(Map.of(
                        "listeners", "INTERNAL://a:1,EXTERNAL://b:2",
                        "listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("listeners", "PLAINTEXT://0.0.0.0:9092")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("0.0.0.0");
        assertThatThrownBy(() -> new BrokerConfig(Map.of(
                        "advertised.listeners",
                        "OTHER://h:1",
                        "listener.security.protocol.map",
                        "PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("advertised.listeners");
    }

    @Test
    void shouldBindAllInterfacesWithMetaAddressWhenAdvertisedIsRoutable() {
        BrokerConfig config = new BrokerConfig(
                Map.of("listeners", "PLAINTEXT://0.0.0.0:9092", "advertised.listeners", "PLAINTEXT://10.0.0.5:9092"));
        assertThat(config.listener().host()).isEqualTo("0.0.0.0");
        assertThat(config.advertisedListener().host()).isEqualTo("10.0.0.5");
    }
}
