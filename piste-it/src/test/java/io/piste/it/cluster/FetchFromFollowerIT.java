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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fetch from the closest replica (KIP-392) with the real consumer on three {@code piste server} processes, each in
 * its own {@code broker.rack}, with Kafka's {@code RackAwareReplicaSelector}: a consumer whose {@code client.rack} is
 * a follower's reads every record from that follower (its bytes out grow, the other follower's do not), and a
 * consumer naming no rack reads from the leader as before.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FetchFromFollowerIT {
    private static final String TOPIC = "near";
    private static final String BYTES_OUT = "kafka_server_brokertopicmetrics_bytesout_total";
    private static final String REPLICATION_BYTES_OUT = "kafka_server_brokertopicmetrics_replicationbytesout_total";
    private static final Duration SETTLE = Duration.ofSeconds(40);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldServeAConsumerFromTheFollowerInItsRack() throws Exception {
        Path dir = TestDirs.create("fetch-from-follower");
        List<BrokerProcess> nodes = ThreeNodes.start(
                brokers,
                dir,
                id -> Map.of(
                        "broker.rack",
                        "rack-" + id,
                        "replica.selector.class",
                        "org.apache.kafka.common.replica.RackAwareReplicaSelector"));
        String bootstrap = ThreeNodes.bootstrap(nodes);

        Set<String> acked = new HashSet<>();
        TopicPartitionInfo partition;
        try (Admin admin = Clients.admin(bootstrap)) {
            ThreeNodes.awaitThreeBrokers(admin, SETTLE);
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = Clients.producer(
                    bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5))) {
                for (int i = 0; i < 2000; i++) {
                    String value = "value-" + i;
                    producer.send(new ProducerRecord<>(TOPIC, 0, value, value)).get(30, TimeUnit.SECONDS);
                    acked.add(value);
                    if (i % 500 == 499) {
                        Bounded.sleep(Duration.ofMillis(50));
                    }
                }
            }
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> ThreeNodes.describe(admin, TOPIC)
                                            .partitions()
                                            .get(0)
                                            .isr()
                                            .size()
                                    == 3))
                    .as("every replica in sync")
                    .isTrue();
            partition = ThreeNodes.describe(admin, TOPIC).partitions().get(0);
        }
        assertThat(partition.leader().rack())
                .isEqualTo("rack-" + partition.leader().id());
        List<Integer> followers = partition.replicas().stream()
                .map(Node::id)
                .filter(id -> id != partition.leader().id())
                .toList();
        BrokerProcess leader = nodes.get(partition.leader().id() - 1);
        BrokerProcess near = nodes.get(followers.get(0) - 1);
        BrokerProcess far = nodes.get(followers.get(1) - 1);

        assertThat(ThreeNodes.missingAfterReading(
                        bootstrap,
                        TOPIC,
                        List.of(0),
                        acked,
                        SETTLE,
                        Map.of(ConsumerConfig.CLIENT_RACK_CONFIG, "rack-" + followers.get(0))))
                .as("records a consumer in follower %s's rack missed", followers.get(0))
                .isEmpty();
        double servedNear = bytesOut(near);
        assertThat(servedNear)
                .as("bytes follower %s (the consumer's rack) served", followers.get(0))
                .isGreaterThan(0);
        assertThat(bytesOut(far))
                .as("bytes follower %s (another rack) served", followers.get(1))
                .isZero();
        assertThat(bytesOut(leader))
                .as("bytes the leader served the consumer: it sent it to the follower")
                .isZero();
        assertThat(ThreeNodes.scrape(leader).valueOrZero(REPLICATION_BYTES_OUT))
                .as("bytes the leader served its followers (ReplicationBytesOutPerSec)")
                .isGreaterThan(0);

        assertThat(ThreeNodes.missingAfterReading(bootstrap, TOPIC, List.of(0), acked, SETTLE))
                .as("records a consumer naming no rack missed")
                .isEmpty();
        assertThat(bytesOut(near))
                .as("a consumer naming no rack reads from the leader")
                .isEqualTo(servedNear);
        assertThat(bytesOut(leader)).isGreaterThan(0);
    }

    private static double bytesOut(BrokerProcess node) {
        return ThreeNodes.scrape(node).valueOrZero(BYTES_OUT, "topic", TOPIC);
    }
}
