package io.piste.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.log.LogCleanupConfig;
import io.piste.storage.log.LogConfig;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {
    private static final BrokerConfig DEFAULT_BROKER = new BrokerConfig(Map.of());

    @Test
    void shouldKnowEveryTopicConfigOfKafka() {
        assertThat(TopicConfigs.names())
                .contains(
                        "cleanup.policy",
                        "compression.type",
                        "compression.gzip.level",
                        "compression.lz4.level",
                        "compression.zstd.level",
                        "delete.retention.ms",
                        "file.delete.delay.ms",
                        "flush.messages",
                        "flush.ms",
                        "follower.replication.throttled.replicas",
                        "index.interval.bytes",
                        "leader.replication.throttled.replicas",
                        "local.retention.bytes",
                        "local.retention.ms",
                        "max.compaction.lag.ms",
                        "max.message.bytes",
                        "message.timestamp.type",
                        "message.timestamp.before.max.ms",
                        "message.timestamp.after.max.ms",
                        "min.cleanable.dirty.ratio",
                        "min.compaction.lag.ms",
                        "min.insync.replicas",
                        "preallocate",
                        "remote.storage.enable",
                        "retention.bytes",
                        "retention.ms",
                        "segment.bytes",
                        "segment.index.bytes",
                        "segment.jitter.ms",
                        "segment.ms",
                        "unclean.leader.election.enable",
                        "message.downconversion.enable",
                        "max.decompressed.message.bytes",
                        "remote.log.copy.disable",
                        "remote.log.delete.on.disable",
                        "remote.copy.lag.ms",
                        "remote.copy.lag.bytes",
                        "errors.deadletterqueue.group.enable");
        assertThat(TopicConfigs.names()).doesNotContain(TopicConfigs.INTERNAL_SEGMENT_BYTES_CONFIG);
    }

    @Test
    void shouldHaveKafkaDefaults() {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("cleanup.policy", "delete"),
                Map.entry("compression.type", "producer"),
                Map.entry("compression.gzip.level", "-1"),
                Map.entry("compression.lz4.level", "9"),
                Map.entry("compression.zstd.level", "3"),
                Map.entry("delete.retention.ms", "86400000"),
                Map.entry("file.delete.delay.ms", "60000"),
                Map.entry("flush.messages", "9223372036854775807"),
                Map.entry("flush.ms", "9223372036854775807"),
                Map.entry("index.interval.bytes", "4096"),
                Map.entry("local.retention.ms", "-2"),
                Map.entry("max.compaction.lag.ms", "9223372036854775807"),
                Map.entry("max.message.bytes", "1048588"),
                Map.entry("message.timestamp.type", "CreateTime"),
                Map.entry("message.timestamp.before.max.ms", "9223372036854775807"),
                Map.entry("message.timestamp.after.max.ms", "3600000"),
                Map.entry("min.cleanable.dirty.ratio", "0.5"),
                Map.entry("min.insync.replicas", "1"),
                Map.entry("preallocate", "false"),
                Map.entry("retention.bytes", "-1"),
                Map.entry("retention.ms", "604800000"),
                Map.entry("segment.bytes", "1073741824"),
                Map.entry("segment.index.bytes", "10485760"),
                Map.entry("segment.jitter.ms", "0"),
                Map.entry("segment.ms", "604800000"),
                Map.entry("unclean.leader.election.enable", "false"),
                Map.entry("leader.replication.throttled.replicas", ""));
        expected.forEach((name, value) -> assertThat(TopicConfigs.effectiveValue(DEFAULT_BROKER, Map.of(), name))
                .as(name)
                .isEqualTo(value));
        assertThat(TopicConfigs.logConfig(DEFAULT_BROKER, Map.of())).isEqualTo(LogConfig.defaults());
    }

    @Test
    void shouldAcceptValidOverrides() {
        assertThatCode(() -> TopicConfigs.validate(Map.of(
                        "cleanup.policy", "compact,delete",
                        "segment.bytes", "1048576",
                        "retention.ms", "-1",
                        "compression.type", "zstd",
                        "compression.gzip.level", "9",
                        "min.cleanable.dirty.ratio", "0.1",
                        "leader.replication.throttled.replicas", "0:1,1:1",
                        "follower.replication.throttled.replicas", "*")))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldRejectUnknownNames() {
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("retention.days", "3")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Unknown topic config name: retention.days");
        // A broker name is not a topic name.
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("log.retention.ms", "3")))
                .isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void shouldRejectBadTypesAndRangesNamingKeyAndValue() {
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("segment.bytes", "big")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Invalid value big for configuration segment.bytes");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("segment.bytes", "1000")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Invalid value 1000 for configuration segment.bytes");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("retention.ms", "-2")))
                .hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("cleanup.policy", "forever")))
                .hasMessageContaining("cleanup.policy");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("compression.type", "brotli")))
                .hasMessageContaining("compression.type");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("compression.gzip.level", "0")))
                .hasMessageContaining("compression.gzip.level");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("preallocate", "maybe")))
                .hasMessageContaining("preallocate");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("min.cleanable.dirty.ratio", "1.5")))
                .hasMessageContaining("min.cleanable.dirty.ratio");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("message.timestamp.type", "Now")))
                .hasMessageContaining("message.timestamp.type");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("leader.replication.throttled.replicas", "a:b")))
                .hasMessageContaining("leader.replication.throttled.replicas");
    }

    @Test
    void shouldRejectConflictingCompactionLagsAndTieredStorage() {
        assertThatThrownBy(() ->
                        TopicConfigs.validate(Map.of("min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("min.compaction.lag.ms");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("remote.storage.enable", "true")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Tiered Storage");
    }

    @Test
    void shouldResolveThroughBrokerSynonymsInKafkaOrder() {
        BrokerConfig hours = new BrokerConfig(Map.of("log.retention.hours", "48", "log.roll.hours", "2"));
        assertThat(TopicConfigs.effectiveValue(hours, Map.of(), "retention.ms")).isEqualTo("172800000");
        assertThat(TopicConfigs.effectiveValue(hours, Map.of(), "segment.ms")).isEqualTo("7200000");

        BrokerConfig minutes = new BrokerConfig(Map.of("log.retention.hours", "48", "log.retention.minutes", "5"));
        assertThat(TopicConfigs.effectiveValue(minutes, Map.of(), "retention.ms"))
                .isEqualTo("300000");

        BrokerConfig ms = new BrokerConfig(Map.of("log.retention.ms", "1000", "log.retention.minutes", "5"));
        assertThat(TopicConfigs.effectiveValue(ms, Map.of(), "retention.ms")).isEqualTo("1000");
        assertThat(TopicConfigs.effectiveValue(ms, Map.of("retention.ms", "42"), "retention.ms"))
                .isEqualTo("42");

        BrokerConfig forever = new BrokerConfig(Map.of("log.retention.hours", "-1"));
        assertThat(TopicConfigs.effectiveValue(forever, Map.of(), "retention.ms"))
                .isEqualTo("-1");

        BrokerConfig other = new BrokerConfig(Map.of(
                "message.max.bytes",
                "2000",
                "log.cleanup.policy",
                "compact",
                "log.flush.scheduler.interval.ms",
                "3000",
                "compression.type",
                "lz4",
                "log.index.size.max.bytes",
                "4096",
                "log.flush.interval.messages",
                "10"));
        assertThat(TopicConfigs.effectiveValue(other, Map.of(), "max.message.bytes"))
                .isEqualTo("2000");
        assertThat(TopicConfigs.effectiveValue(other, Map.of(), "cleanup.policy"))
                .isEqualTo("compact");
        assertThat(TopicConfigs.effectiveValue(other, Map.of(), "flush.ms")).isEqualTo("3000");
        assertThat(TopicConfigs.effectiveValue(other, Map.of(), "compression.type"))
                .isEqualTo("lz4");
        assertThat(TopicConfigs.effectiveValue(other, Map.of(), "segment.index.bytes"))
                .isEqualTo("4096");
        assertThat(TopicConfigs.effectiveValue(other, Map.of(), "flush.messages"))
                .isEqualTo("10");
    }

    @Test
    void shouldWriteOverridesAsKafkaDoes() {
        assertThat(TopicConfigs.effectiveValue(
                        DEFAULT_BROKER, Map.of("cleanup.policy", "compact, delete"), "cleanup.policy"))
                .isEqualTo("compact,delete");
        assertThatThrownBy(() -> TopicConfigs.effectiveValue(DEFAULT_BROKER, Map.of(), "nope"))
                .isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void shouldBuildLogConfigFromOverridesOverBroker() {
        BrokerConfig broker =
                new BrokerConfig(Map.of("log.segment.bytes", "2097152", "log.index.interval.bytes", "100"));
        LogConfig log = TopicConfigs.logConfig(
                broker,
                Map.of(
                        TopicConfig.SEGMENT_MS_CONFIG, "1000",
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                        TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "10",
                        TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "20",
                        TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, "4"));
        assertThat(log).isEqualTo(new LogConfig(2097152, 1000L, 100, 12, true, 1048588, 10L, 20L));
    }

    @Test
    void shouldHonourInternalSegmentBytesForTests() {
        LogConfig log = TopicConfigs.logConfig(DEFAULT_BROKER, Map.of("internal.segment.bytes", "1024"));
        assertThat(log.segmentBytes()).isEqualTo(1024);
    }

    @Test
    void shouldMapCleanupPolicyRetentionAndDeleteDelayWithKafkasBrokerDefaults() {
        assertThat(TopicConfigs.logConfig(DEFAULT_BROKER, Map.of()).cleanup())
                .isEqualTo(new LogCleanupConfig(true, false, 7 * 24 * 3600_000L, -1, 60_000));
        BrokerConfig broker = new BrokerConfig(
                Map.of("log.retention.hours", "2", "log.retention.bytes", "5000", "log.segment.delete.delay.ms", "7"));
        assertThat(TopicConfigs.logConfig(broker, Map.of()).cleanup())
                .isEqualTo(new LogCleanupConfig(true, false, 2 * 3600_000L, 5000, 7));
        assertThat(TopicConfigs.logConfig(new BrokerConfig(Map.of("log.retention.ms", "-5")), Map.of())
                        .cleanup()
                        .retentionMs())
                .as("any negative broker time is Kafka's -1")
                .isEqualTo(-1);
        LogCleanupConfig topic = TopicConfigs.logConfig(
                        broker,
                        Map.of(
                                "cleanup.policy", "compact,delete",
                                "retention.ms", "-1",
                                "retention.bytes", "123",
                                "file.delete.delay.ms", "0"))
                .cleanup();
        assertThat(topic).isEqualTo(new LogCleanupConfig(true, true, -1, 123, 0));
        assertThat(TopicConfigs.logConfig(broker, Map.of("cleanup.policy", "")).cleanup())
                .as("an empty policy keeps everything (Kafka 4.4)")
                .matches(c -> !c.delete() && !c.compact());
    }

    @Test
    void shouldRefuseInvalidRetentionAndPolicyValues() {
        for (Map<String, String> bad : java.util.List.of(
                Map.of("retention.ms", "-2"),
                Map.of("cleanup.policy", "remove"),
                Map.of("file.delete.delay.ms", "-1"),
                Map.of("retention.bytes", "lots"))) {
            assertThatThrownBy(() -> TopicConfigs.validate(bad))
                    .as(bad.toString())
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining(bad.keySet().iterator().next());
        }
    }
}
