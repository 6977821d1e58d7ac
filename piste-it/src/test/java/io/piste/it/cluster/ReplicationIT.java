package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's replication with the real clients on three {@code piste server} processes: a topic of replication factor 3
 * and {@code min.insync.replicas=2} has every replica in sync, an idempotent producer with compression (acks=all) keeps
 * writing while the leader of a partition is killed with -9, and every acknowledged record is read back once, from
 * the new leaders and after the killed node returned and caught up (back in the ISR). While the node is away, a topic
 * asking for three in-sync replicas refuses acks=all produces with NOT_ENOUGH_REPLICAS.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReplicationIT {
    private static final String TOPIC = "replicated";
    private static final String STRICT_TOPIC = "replicated-strict";
    private static final int PARTITIONS = 3;
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final String UNDER_REPLICATED = "kafka_server_replicamanager_underreplicatedpartitions";

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldLoseNoAcknowledgedRecordWhenALeaderIsKilled() throws Exception {
        Path dir = TestDirs.create("replication");
        List<BrokerProcess> nodes = ThreeNodes.start(brokers, dir, Map.of("replica.lag.time.max.ms", "6000"));
        String bootstrap = nodes.get(0).bootstrapServers() + "," + nodes.get(1).bootstrapServers();

        try (Admin admin = Clients.admin(bootstrap)) {
            ThreeNodes.awaitThreeBrokers(admin, SETTLE);
            admin.createTopics(List.of(
                            new NewTopic(TOPIC, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2")),
                            new NewTopic(STRICT_TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "3"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            for (TopicPartitionInfo p : ThreeNodes.describe(admin, TOPIC).partitions()) {
                assertThat(p.replicas()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
                assertThat(p.isr()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
            }
        }
        // Each node follows the other two in a fetch session with each (KIP-227), as Kafka's fetchers do.
        assertThat(Bounded.waitFor(
                        SETTLE,
                        Duration.ofMillis(200),
                        () -> ThreeNodes.metricSum(nodes, "kafka_server_fetchsessioncache_numincrementalfetchsessions")
                                == 6))
                .as("six follower fetch sessions, one per follower and leader")
                .isTrue();

        Set<String> acked = ConcurrentHashMap.newKeySet();
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap,
                Map.of(
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        "lz4",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        60_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        10_000))) {
            int victim;
            try (Admin admin = Clients.admin(bootstrap)) {
                victim = ThreeNodes.describe(admin, TOPIC)
                        .partitions()
                        .get(0)
                        .leader()
                        .id();
            }
            int sent = 0;
            Bounded.Deadline writing = Bounded.Deadline.in(Duration.ofSeconds(20));
            boolean killed = false;
            while (!writing.passed()) {
                String value = "value-" + sent++;
                producer.send(new ProducerRecord<>(TOPIC, value, value), (metadata, error) -> {
                    if (error == null) {
                        acked.add(value);
                    }
                });
                if (!killed && sent == 2000) {
                    // with records in flight: some are acknowledged by the old leader, some retried at the new one
                    nodes.get(victim - 1).kill9();
                    killed = true;
                }
                if (sent % 200 == 0) {
                    Thread.sleep(20);
                }
            }
            producer.flush();
            assertThat(killed)
                    .as("the leader was killed while records were written")
                    .isTrue();
            assertThat(acked.size()).as("records acknowledged").isGreaterThan(2500);

            // With one node away, a topic asking for three in-sync replicas refuses acks=all once the ISR shrank.
            try (Admin admin = Clients.admin(nodes.get((victim % 3)).bootstrapServers())) {
                assertThat(Bounded.waitFor(
                                SETTLE,
                                Duration.ofMillis(200),
                                () -> isrSizes(admin, STRICT_TOPIC).equals(List.of(2))))
                        .as("the killed node left the ISR")
                        .isTrue();
            }
            // The leaders of the partitions the killed node held report them under-replicated.
            List<BrokerProcess> alive =
                    nodes.stream().filter(BrokerProcess::isAlive).toList();
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(500),
                            () -> ThreeNodes.metricSum(alive, UNDER_REPLICATED) >= PARTITIONS + 1))
                    .as("UnderReplicatedPartitions summed over the live nodes")
                    .isTrue();
            try (KafkaProducer<String, String> strict = Clients.producer(
                    nodes.get(victim % 3).bootstrapServers(),
                    Map.of(
                            ProducerConfig.ACKS_CONFIG,
                            "all",
                            // NOT_ENOUGH_REPLICAS is retriable: no retry, to see it rather than a delivery timeout
                            ProducerConfig.RETRIES_CONFIG,
                            0,
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                            false,
                            ProducerConfig.LINGER_MS_CONFIG,
                            0))) {
                assertThatThrownBy(() -> strict.send(new ProducerRecord<>(STRICT_TOPIC, "k", "v"))
                                .get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(NotEnoughReplicasException.class);
            }

            nodes.get(victim - 1).restart();
        }

        try (Admin admin = Clients.admin(bootstrap)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(500),
                            () -> isrSizes(admin, TOPIC).equals(List.of(3, 3, 3))))
                    .as("the returned node caught up and is back in every ISR")
                    .isTrue();
        }
        assertThat(Bounded.waitFor(
                        SETTLE, Duration.ofMillis(500), () -> ThreeNodes.metricSum(nodes, UNDER_REPLICATED) == 0))
                .as("no partition under-replicated once the node is back")
                .isTrue();
        assertThat(ThreeNodes.missingAfterReading(bootstrap, TOPIC, List.of(0, 1, 2), acked, SETTLE))
                .as("acknowledged records missing after failover")
                .isEmpty();
    }

    /** Each partition's ISR size, or none while the cluster cannot answer. */
    private static List<Integer> isrSizes(Admin admin, String topic) {
        try {
            return ThreeNodes.describe(admin, topic).partitions().stream()
                    .map(p -> p.isr().size())
                    .toList();
        } catch (AssertionError e) {
            return List.of();
        }
    }
}
