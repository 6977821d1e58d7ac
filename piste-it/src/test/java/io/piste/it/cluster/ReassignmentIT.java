package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Partition reassignment (KIP-455) with the real Admin client on three {@code piste server} processes: each partition
 * of a topic of replication factor 2 moves one replica to the third node while an idempotent acks=all producer keeps
 * writing; partition 0 loses its leader, partition 1 a follower. The reassignments end on their own (the new replicas
 * fetch, join the ISR, the controller completes them), the removed replicas' directories are deleted, every
 * acknowledged record is read once, and with the one old replica of partition 0 stopped, its new replica leads and
 * its own log holds all of it: the data really moved.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReassignmentIT {
    private static final String TOPIC = "moving";
    private static final Duration SETTLE = Duration.ofSeconds(40);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldMoveReplicasUnderAProducerAndLoseNothing() throws Exception {
        Path dir = TestDirs.create("reassignment");
        List<BrokerProcess> nodes = ThreeNodes.start(brokers, dir, Map.of());
        String bootstrap = ThreeNodes.bootstrap(nodes);

        Map<Integer, Set<String>> acked =
                new ConcurrentHashMap<>(Map.of(0, ConcurrentHashMap.newKeySet(), 1, ConcurrentHashMap.newKeySet()));
        List<List<Integer>> before;
        List<List<Integer>> targets = new ArrayList<>();
        try (Admin admin = Clients.admin(bootstrap)) {
            ThreeNodes.awaitThreeBrokers(admin, SETTLE);
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 2).configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            before = ThreeNodes.describe(admin, TOPIC).partitions().stream()
                    .map(p -> p.replicas().stream().map(Node::id).toList())
                    .toList();
            // Partition 0 drops its first replica (its leader), partition 1 its second; each gains the third node.
            targets.add(List.of(before.get(0).get(1), missing(before.get(0))));
            targets.add(List.of(before.get(1).get(0), missing(before.get(1))));

            AtomicBoolean writing = new AtomicBoolean(true);
            Thread producing = new Thread(() -> produce(bootstrap, writing, acked), "reassignment-it-producer");
            producing.start();
            try {
                assertThat(Bounded.waitFor(
                                SETTLE,
                                Duration.ofMillis(50),
                                () -> acked.get(0).size() > 1000))
                        .isTrue();
                Map<TopicPartition, Optional<NewPartitionReassignment>> moves = Map.of(
                        new TopicPartition(TOPIC, 0), Optional.of(new NewPartitionReassignment(targets.get(0))),
                        new TopicPartition(TOPIC, 1), Optional.of(new NewPartitionReassignment(targets.get(1))));
                admin.alterPartitionReassignments(moves).all().get(30, TimeUnit.SECONDS);

                assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> moved(admin, targets)))
                        .as("reassignments completed: none listed, every target replica in sync")
                        .isTrue();
                Bounded.sleep(Duration.ofSeconds(2)); // records written after the move, too
            } finally {
                writing.set(false);
                producing.join(60_000);
            }
        }
        assertThat(acked.get(0).size() + acked.get(1).size())
                .as("records acknowledged")
                .isGreaterThan(3000);

        for (int p = 0; p < 2; p++) {
            int removed = missingFrom(before.get(p), targets.get(p));
            Path partitionDir = nodes.get(removed - 1).logDir().resolve(TOPIC + "-" + p);
            assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> !Files.exists(partitionDir)))
                    .as("%s deleted on broker %s, no longer a replica", partitionDir, removed)
                    .isTrue();
            int added = missing(before.get(p));
            assertThat(nodes.get(added - 1).logDir().resolve(TOPIC + "-" + p)).isDirectory();
        }
        Set<String> all = new HashSet<>(acked.get(0));
        all.addAll(acked.get(1));
        assertThat(ThreeNodes.missingAfterReading(bootstrap, TOPIC, List.of(0, 1), all, SETTLE))
                .as("acknowledged records missing")
                .isEmpty();

        // The old replica left in partition 0 stops: its new replica must lead it, from its own copy.
        int oldReplica = targets.get(0).get(0);
        int newReplica = targets.get(0).get(1);
        nodes.get(oldReplica - 1).stop();
        String survivors = nodes.stream()
                .filter(BrokerProcess::isAlive)
                .map(BrokerProcess::bootstrapServers)
                .reduce((a, b) -> a + "," + b)
                .orElseThrow();
        try (Admin admin = Clients.admin(survivors)) {
            assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> leaderOf(admin, 0) == newReplica))
                    .as("broker %s leads partition 0 once broker %s stopped", newReplica, oldReplica)
                    .isTrue();
        }
        // Its own log holds every acknowledged record. A consumer could not show it: the new leader's ISR (itself)
        // is below min.insync.replicas, so by KIP-966's strict rule its high watermark stays where it last learned
        // the old leader's, up to one replica.fetch.wait.max.ms behind the acknowledgements.
        assertThat(missingFromLog(nodes.get(newReplica - 1).logDir().resolve(TOPIC + "-0"), acked.get(0)))
                .as("records of partition 0 missing from the log of its new replica, broker %s", newReplica)
                .isEmpty();
    }

    /** The values of {@code expected} that no record in the segments of {@code partitionDir} carries. */
    private static Set<String> missingFromLog(Path partitionDir, Set<String> expected) throws IOException {
        Set<String> missing = new HashSet<>(expected);
        List<Path> segments;
        try (Stream<Path> files = Files.list(partitionDir)) {
            segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
        for (Path segment : segments) {
            try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
                for (RecordBatch batch : records.batches()) {
                    for (Record record : batch) {
                        missing.remove(
                                StandardCharsets.UTF_8.decode(record.value()).toString());
                    }
                }
            }
        }
        return missing;
    }

    private static void produce(String bootstrap, AtomicBoolean writing, Map<Integer, Set<String>> acked) {
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap,
                Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.LINGER_MS_CONFIG, 5,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            for (int sent = 0; writing.get(); sent++) {
                int partition = sent % 2;
                String value = "value-" + sent;
                producer.send(new ProducerRecord<>(TOPIC, partition, value, value), (metadata, error) -> {
                    if (error == null) {
                        acked.get(partition).add(value);
                    }
                });
                if (sent % 200 == 0) {
                    Bounded.sleep(Duration.ofMillis(20));
                }
            }
            producer.flush();
        }
    }

    /** Whether no reassignment is listed and each partition's replicas are its target's, all in sync. */
    private static boolean moved(Admin admin, List<List<Integer>> targets) {
        try {
            Map<TopicPartition, PartitionReassignment> ongoing =
                    admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS);
            if (!ongoing.isEmpty()) {
                return false;
            }
            List<TopicPartitionInfo> partitions =
                    ThreeNodes.describe(admin, TOPIC).partitions();
            for (int p = 0; p < targets.size(); p++) {
                List<Integer> replicas =
                        partitions.get(p).replicas().stream().map(Node::id).toList();
                Set<Integer> isr = new HashSet<>(
                        partitions.get(p).isr().stream().map(Node::id).toList());
                if (!replicas.equals(targets.get(p)) || !isr.containsAll(targets.get(p))) {
                    return false;
                }
            }
            return true;
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    private static int leaderOf(Admin admin, int partition) {
        try {
            Node leader = ThreeNodes.describe(admin, TOPIC)
                    .partitions()
                    .get(partition)
                    .leader();
            return leader == null ? -1 : leader.id();
        } catch (AssertionError e) {
            return -1;
        }
    }

    /** The one node of 1..3 not in {@code replicas} (two of them). */
    private static int missing(List<Integer> replicas) {
        for (int id = 1; id <= 3; id++) {
            if (!replicas.contains(id)) {
                return id;
            }
        }
        throw new AssertionError("no node left out of " + replicas);
    }

    private static int missingFrom(List<Integer> before, List<Integer> after) {
        return before.stream().filter(id -> !after.contains(id)).findFirst().orElseThrow();
    }
}
