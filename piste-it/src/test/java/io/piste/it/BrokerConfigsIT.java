package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Exec;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dynamic broker configs with the Admin client and Kafka's own kafka-configs tool: set cluster-wide ("") and for
 * broker 1, seen by DescribeConfigs with Kafka's sources, applied to topics at once, and kept across a restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrokerConfigsIT {
    private static final long WAIT_S = 30;
    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final ConfigResource BROKER_1 = new ConfigResource(ConfigResource.Type.BROKER, "1");

    private Path dir;
    private TestBroker broker;
    private final KafkaTool configs = KafkaTool.configCommand(() -> broker.bootstrapServers());

    @BeforeEach
    void startBroker() throws Exception {
        dir = TestDirs.create("broker-configs");
        broker = TestBroker.start(dir, Map.of("log.retention.hours", "48"));
    }

    @AfterEach
    void stopBroker() {
        broker.close();
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldApplyClusterDefaultAndBrokerConfigsAndKeepThemAcrossRestart() throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            alter(admin, CLUSTER_DEFAULT, set("log.retention.ms", "3600000"), set("log.segment.bytes", "2097152"));
            alter(admin, BROKER_1, set("log.segment.bytes", "3145728"));
            admin.createTopics(List.of(new NewTopic("plain", 1, (short) 1)))
                    .all()
                    .get(WAIT_S, TimeUnit.SECONDS);

            assertDynamicConfigs(admin);
        }

        broker.restart();

        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            assertDynamicConfigs(admin);

            alter(admin, BROKER_1, delete("log.segment.bytes"));
            final ConfigEntry segment = describe(admin, topic("plain")).get("segment.bytes");
            assertThat(segment.value()).isEqualTo("2097152");
            assertThat(segment.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        }
    }

    @Test
    void shouldRefuseConfigsThatAreNotDynamic() throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            final Throwable logDirs = catchThrowable(() -> alter(admin, CLUSTER_DEFAULT, set("log.dirs", "/tmp/x")));
            assertThat(logDirs)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("Cannot update these configs dynamically: [log.dirs]");

            final Throwable otherBroker = catchThrowable(() ->
                    alter(admin, new ConfigResource(ConfigResource.Type.BROKER, "2"), set("log.retention.ms", "1")));
            assertThat(otherBroker).isInstanceOf(ExecutionException.class);

            final Throwable badValue = catchThrowable(() -> alter(admin, BROKER_1, set("log.retention.ms", "soon")));
            assertThat(badValue)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("log.retention.ms");

            admin.incrementalAlterConfigs(
                            Map.of(CLUSTER_DEFAULT, List.of(set("log.retention.ms", "1000"))),
                            new AlterConfigsOptions().validateOnly(true))
                    .all()
                    .get(WAIT_S, TimeUnit.SECONDS);
            assertThat(describe(admin, CLUSTER_DEFAULT)).isEmpty();
            assertThat(describe(admin, BROKER_1).get("log.dirs").isReadOnly()).isTrue();
        }
    }

    @Test
    void shouldApplyNewDefaultToExistingTopicsAtOnce() throws Exception {
        final String topic = "max-bytes";
        try (Admin admin = Clients.admin(broker.bootstrapServers());
                KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(WAIT_S, TimeUnit.SECONDS);
            final String big = "x".repeat(4000);
            producer.send(new ProducerRecord<>(topic, big)).get(WAIT_S, TimeUnit.SECONDS);

            alter(admin, CLUSTER_DEFAULT, set("message.max.bytes", "1000"));
            final Throwable tooLarge = catchThrowable(
                    () -> producer.send(new ProducerRecord<>(topic, big)).get(WAIT_S, TimeUnit.SECONDS));
            assertThat(tooLarge)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(RecordTooLargeException.class);

            alter(admin, CLUSTER_DEFAULT, delete("message.max.bytes"));
            producer.send(new ProducerRecord<>(topic, big)).get(WAIT_S, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldAlterAndDescribeClusterDefaultWithConfigCommand() {
        final Exec.Result altered = configs.run(
                        "--entity-type",
                        "brokers",
                        "--entity-default",
                        "--alter",
                        "--add-config",
                        "log.retention.ms=86400000")
                .assertSuccess();
        assertThat(altered.stdout()).contains("Completed updating default config for brokers");

        final Exec.Result described = configs.run("--entity-type", "brokers", "--entity-default", "--describe")
                .assertSuccess();
        assertThat(described.stdout())
                .contains("log.retention.ms=86400000")
                .contains("DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=86400000");

        final Exec.Result thisBroker = configs.run(
                        "--entity-type", "brokers", "--entity-name", "1", "--describe", "--all")
                .assertSuccess();
        assertThat(thisBroker.stdout()).contains("log.retention.ms=86400000");
        // Kafka configs that do nothing in Piste are not listed as if they did (docs/compatibility.md).
        assertThat(thisBroker.stdout()).contains("connections.max.idle.ms=").doesNotContain("num.io.threads=");

        final Exec.Result refused = configs.run(
                "--entity-type", "brokers", "--entity-name", "1", "--alter", "--add-config", "log.dirs=/tmp/elsewhere");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stdout() + refused.stderr()).contains("Cannot update these configs dynamically");
    }

    @Test
    void shouldChangeTheCleanerConfigsAtRunTimeAndRefuseWhatKafkaRefuses() throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            assertRefused(admin, set("log.cleaner.threads", "0"), "Log cleaner threads should be at least 1");
            assertRefused(admin, set("log.cleaner.threads", "3"), "more than double the current value 1");
            assertRefused(admin, set("log.cleaner.io.buffer.load.factor", "2"), "log.cleaner.io.buffer.load.factor");
            assertRefused(admin, set("log.cleaner.dedupe.buffer.size", "1000"), "at least 1MB per cleaner thread");
            assertRefused(admin, set("log.cleaner.enable", "false"), "Cannot update these configs dynamically");
            assertThat(describe(admin, BROKER_1).get("log.cleaner.enable").isReadOnly())
                    .isTrue();
            assertThat(describe(admin, BROKER_1).get("log.cleaner.threads").isReadOnly())
                    .isFalse();

            // 1,000 bytes a second: cleaning the changelog below would take minutes.
            alter(
                    admin,
                    CLUSTER_DEFAULT,
                    set("log.cleaner.io.max.bytes.per.second", "1000"),
                    set("log.cleaner.backoff.ms", "100"));
            alter(admin, BROKER_1, set("log.cleaner.threads", "2"));
            final ConfigEntry threads = describe(admin, BROKER_1).get("log.cleaner.threads");
            assertThat(threads.value()).isEqualTo("2");
            assertThat(threads.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);

            final String topic = "throttled-changelog";
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                            .configs(Map.of(
                                    "cleanup.policy", "compact",
                                    "internal.segment.bytes", "16384",
                                    "min.cleanable.dirty.ratio", "0.01"))))
                    .all()
                    .get(WAIT_S, TimeUnit.SECONDS);
            final int written = 20_000;
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
                for (int i = 0; i < written; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, "key-" + (i % 200), "value-" + i));
                }
                producer.flush();
            }
            Thread.sleep(3000);
            assertThat(Consume.allOf(broker.bootstrapServers(), topic, Duration.ofSeconds(30)))
                    .as("throttled: nothing cleaned yet")
                    .hasSize(written);

            alter(admin, CLUSTER_DEFAULT, delete("log.cleaner.io.max.bytes.per.second"));
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(60));
            int left = written;
            while (left > written / 4 && !deadline.passed()) {
                Thread.sleep(200);
                left = Consume.allOf(broker.bootstrapServers(), topic, Duration.ofSeconds(30))
                        .size();
            }
            assertThat(left).as("records left once the throttle is lifted").isLessThan(written / 4);
        }
    }

    private static void assertRefused(final Admin admin, final AlterConfigOp op, final String message) {
        final Throwable refused = catchThrowable(() -> alter(admin, BROKER_1, op));
        assertThat(refused)
                .as("%s", op)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(message);
    }

    /** What the describe should show after the alters, before and after the restart. */
    private static void assertDynamicConfigs(final Admin admin) throws Exception {
        final Map<String, ConfigEntry> thisBroker = describe(admin, BROKER_1);
        final ConfigEntry retention = thisBroker.get("log.retention.ms");
        assertThat(retention.value()).isEqualTo("3600000");
        assertThat(retention.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(retention.isReadOnly()).isFalse();
        assertThat(retention.synonyms())
                .extracting(ConfigEntry.ConfigSynonym::source)
                .startsWith(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, ConfigSource.STATIC_BROKER_CONFIG);
        final ConfigEntry segment = thisBroker.get("log.segment.bytes");
        assertThat(segment.value()).isEqualTo("3145728");
        assertThat(segment.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);

        final Map<String, ConfigEntry> defaults = describe(admin, CLUSTER_DEFAULT);
        assertThat(defaults.keySet()).containsExactlyInAnyOrder("log.retention.ms", "log.segment.bytes");
        assertThat(defaults.get("log.segment.bytes").value()).isEqualTo("2097152");
        assertThat(defaults.get("log.segment.bytes").source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);

        final Map<String, ConfigEntry> plain = describe(admin, topic("plain"));
        assertThat(plain.get("retention.ms").value()).isEqualTo("3600000");
        assertThat(plain.get("retention.ms").source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(plain.get("segment.bytes").value()).isEqualTo("3145728");
        assertThat(plain.get("segment.bytes").source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
    }

    private static ConfigResource topic(final String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private static AlterConfigOp set(final String name, final String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private static AlterConfigOp delete(final String name) {
        return new AlterConfigOp(new ConfigEntry(name, null), AlterConfigOp.OpType.DELETE);
    }

    private static void alter(final Admin admin, final ConfigResource resource, final AlterConfigOp... ops)
            throws Exception {
        final Map<ConfigResource, Collection<AlterConfigOp>> changes = Map.of(resource, List.of(ops));
        admin.incrementalAlterConfigs(changes).all().get(WAIT_S, TimeUnit.SECONDS);
    }

    private static Map<String, ConfigEntry> describe(final Admin admin, final ConfigResource resource)
            throws Exception {
        final DescribeConfigsOptions withSynonyms = new DescribeConfigsOptions().includeSynonyms(true);
        final Config config = admin.describeConfigs(Set.of(resource), withSynonyms)
                .all()
                .get(WAIT_S, TimeUnit.SECONDS)
                .get(resource);
        final Map<String, ConfigEntry> byName = new HashMap<>();
        config.entries().forEach(e -> byName.put(e.name(), e));
        return byName;
    }
}
