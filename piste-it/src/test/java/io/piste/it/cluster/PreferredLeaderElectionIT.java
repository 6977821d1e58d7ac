package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's preferred leader election with the real Admin client on three {@code piste server} processes (automatic
 * rebalance off, so that only the request moves leaders): a node is killed, its partitions fail over, it returns
 * and catches up, and {@code electLeaders(PREFERRED)} gives it back the partitions it prefers, while an idempotent
 * producer (acks=all) keeps writing through it all; every acknowledged record is read once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PreferredLeaderElectionIT {
    private static final String TOPIC = "elected";
    private static final int PARTITIONS = 3;
    private static final Duration SETTLE = Duration.ofSeconds(40);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldGiveLeadershipBackToThePreferredReplicaOnRequest() throws Exception {
        Path dir = TestDirs.create("preferred-election");
        List<BrokerProcess> nodes = ThreeNodes.start(
                brokers, dir, Map.of("replica.lag.time.max.ms", "6000", "auto.leader.rebalance.enable", "false"));
        String bootstrap = ThreeNodes.bootstrap(nodes);
        Set<TopicPartition> partitions = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (Admin admin = Clients.admin(bootstrap)) {
            ThreeNodes.awaitThreeBrokers(admin, SETTLE);
            admin.createTopics(List.of(
                            new NewTopic(TOPIC, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> ledByPreferred(admin) == PARTITIONS))
                    .isTrue();
            int victim = ThreeNodes.describe(admin, TOPIC)
                    .partitions()
                    .get(0)
                    .replicas()
                    .get(0)
                    .id();

            Thread producing = new Thread(() -> produce(bootstrap, acked, writing), "producing");
            producing.start();
            try {
                Bounded.sleep(Duration.ofSeconds(1));
                nodes.get(victim - 1).kill9();
                assertThat(Bounded.waitFor(
                                SETTLE,
                                Duration.ofMillis(200),
                                () -> leaders(admin).stream().noneMatch(l -> l == victim)))
                        .as("the killed node's partitions failed over")
                        .isTrue();
                nodes.get(victim - 1).restart();
                assertThat(Bounded.waitFor(
                                SETTLE,
                                Duration.ofMillis(200),
                                () -> isrSizes(admin).equals(List.of(3, 3, 3))))
                        .as("the returned node caught up")
                        .isTrue();
                assertThat(ledByPreferred(admin)).as("no automatic rebalance").isLessThan(PARTITIONS);
                assertThat(Bounded.waitFor(
                                SETTLE,
                                Duration.ofMillis(500),
                                () -> ThreeNodes.metricSum(
                                                nodes,
                                                "kafka_controller_kafkacontroller_preferredreplicaimbalancecount")
                                        >= 1))
                        .as("PreferredReplicaImbalanceCount on the active controller")
                        .isTrue();

                Map<TopicPartition, Optional<Throwable>> results = admin.electLeaders(
                                ElectionType.PREFERRED, partitions)
                        .partitions()
                        .get(30, TimeUnit.SECONDS);

                List<TopicPartitionInfo> before =
                        ThreeNodes.describe(admin, TOPIC).partitions();
                for (TopicPartition partition : partitions) {
                    TopicPartitionInfo info = before.get(partition.partition());
                    Optional<Throwable> outcome = results.get(partition);
                    if (info.replicas().get(0).id() == victim) {
                        assertThat(outcome).as("%s elected", partition).isEmpty();
                    } else {
                        assertThat(outcome).get().isInstanceOf(ElectionNotNeededException.class);
                    }
                }
                assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> ledByPreferred(admin) == PARTITIONS))
                        .as("Metadata shows every partition led by its preferred replica")
                        .isTrue();
                assertThat(Bounded.waitFor(
                                SETTLE,
                                Duration.ofMillis(500),
                                () -> ThreeNodes.metricSum(
                                                nodes,
                                                "kafka_controller_kafkacontroller_preferredreplicaimbalancecount")
                                        == 0))
                        .as("no PreferredReplicaImbalanceCount left")
                        .isTrue();
                // Nothing left to elect: a request for all partitions answers none.
                assertThat(admin.electLeaders(ElectionType.PREFERRED, null)
                                .partitions()
                                .get(30, TimeUnit.SECONDS))
                        .isEmpty();
                Bounded.sleep(Duration.ofSeconds(2)); // writes through the moved leaders
            } finally {
                writing.set(false);
                producing.join(TimeUnit.SECONDS.toMillis(90));
            }
        }
        assertThat(acked.size()).as("records acknowledged").isGreaterThan(200);
        assertThat(ThreeNodes.missingAfterReading(bootstrap, TOPIC, List.of(0, 1, 2), acked, SETTLE))
                .as("acknowledged records missing")
                .isEmpty();
    }

    private static void produce(String bootstrap, Set<String> acked, AtomicBoolean writing) {
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap,
                Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.LINGER_MS_CONFIG, 5,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            for (int sent = 0; writing.get(); sent++) {
                String value = "value-" + sent;
                producer.send(new ProducerRecord<>(TOPIC, value, value), (metadata, error) -> {
                    if (error == null) {
                        acked.add(value);
                    }
                });
                if (sent % 20 == 0) {
                    Bounded.sleep(Duration.ofMillis(20));
                }
            }
            producer.flush();
        }
    }

    private static long ledByPreferred(Admin admin) {
        try {
            return ThreeNodes.describe(admin, TOPIC).partitions().stream()
                    .filter(p -> p.leader() != null
                            && p.leader().id() == p.replicas().get(0).id())
                    .count();
        } catch (AssertionError e) {
            return -1;
        }
    }

    private static List<Integer> leaders(Admin admin) {
        try {
            return ThreeNodes.describe(admin, TOPIC).partitions().stream()
                    .map(p -> p.leader() == null ? -1 : p.leader().id())
                    .toList();
        } catch (AssertionError e) {
            return List.of(-2);
        }
    }

    private static List<Integer> isrSizes(Admin admin) {
        try {
            return ThreeNodes.describe(admin, TOPIC).partitions().stream()
                    .map(p -> p.isr().size())
                    .toList();
        } catch (AssertionError e) {
            return List.of();
        }
    }
}
