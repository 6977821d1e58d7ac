package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The replication throttle as {@code kafka-reassign-partitions --throttle} sets it (the dynamic broker config
 * {@code follower.replication.throttled.rate} and the topic config {@code follower.replication.throttled.replicas}):
 * a new replica catches up no faster than the rate, so its reassignment stays listed (adding, removing) while it
 * does; cancelling it reverts the partition and deletes the new replica's directory; with the throttle removed the
 * same reassignment completes. The leader's side of the throttle holds a new replica likewise.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReassignmentThrottleIT {
    private static final String TOPIC = "throttled";
    private static final Duration SETTLE = Duration.ofSeconds(40);
    private static final int RECORDS = 4000;
    private static final int RECORD_BYTES = 1000;
    /** 4 MB to copy at 100 kB/s (after a first burst of ten seconds' worth): over 25 s. */
    private static final String RATE = "100000";

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldHoldANewReplicaToTheRateListItWhileItCatchesUpAndCancelIt() throws Exception {
        Path dir = TestDirs.create("reassignment-throttle");
        List<BrokerProcess> nodes = ThreeNodes.start(brokers, dir, Map.of());
        String bootstrap = nodes.get(0).bootstrapServers() + "," + nodes.get(1).bootstrapServers();
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        try (Admin admin = Clients.admin(bootstrap)) {
            ThreeNodes.awaitThreeBrokers(admin, SETTLE);
            List<Integer> before = createAndFill(admin, bootstrap);
            int added = before.get(0) % 3 + 1;
            List<Integer> target = List.of(before.get(0), added);
            throttleAndMove(admin, "follower", added, target);

            // Throttled, the new replica is still catching up after several seconds: listed as being added.
            Bounded.sleep(Duration.ofSeconds(6));
            Map<TopicPartition, PartitionReassignment> ongoing =
                    admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS);
            assertThat(ongoing).containsOnlyKeys(p0);
            assertThat(ongoing.get(p0).addingReplicas()).containsExactly(added);
            assertThat(ongoing.get(p0).removingReplicas()).isEmpty();
            assertThat(ongoing.get(p0).replicas()).containsExactlyElementsOf(target);
            assertThat(admin.listPartitionReassignments(Set.of(p0, new TopicPartition("none", 0)))
                            .reassignments()
                            .get(10, TimeUnit.SECONDS))
                    .containsOnlyKeys(p0);
            Path copy = nodes.get(added - 1).logDir().resolve(TOPIC + "-0");
            assertThat(copy).isDirectory();
            long copied = sizeOf(copy);
            assertThat(copied).as("bytes copied under the throttle").isLessThan((long) RECORDS * RECORD_BYTES);

            // Cancelled: back to the one replica, the new one's directory deleted.
            admin.alterPartitionReassignments(Map.of(p0, Optional.empty()))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> replicas(admin).equals(before) && noneListed(admin)))
                    .as("reverted to %s", before)
                    .isTrue();
            assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> !Files.exists(copy)))
                    .as("%s deleted", copy)
                    .isTrue();
            assertThat(admin.alterPartitionReassignments(Map.of(p0, Optional.empty()))
                            .values()
                            .get(p0))
                    .failsWithin(Duration.ofSeconds(30))
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOf(NoReassignmentInProgressException.class);

            // Without the throttle the same move completes.
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(added)),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("follower.replication.throttled.rate", ""),
                                    AlterConfigOp.OpType.DELETE))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            admin.alterPartitionReassignments(Map.of(p0, Optional.of(new NewPartitionReassignment(target))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> replicas(admin).equals(target)
                                    && noneListed(admin)
                                    && isr(admin).containsAll(target)))
                    .as("moved to %s", target)
                    .isTrue();
        }
    }

    /**
     * The leader's side alone ({@code leader.replication.throttled.rate} on the leader, the topic's
     * {@code leader.replication.throttled.replicas} naming its replica, as {@code kafka-reassign-partitions --throttle}
     * sets them too): the leader sends the new replica no faster than the rate; without it the move completes.
     */
    @Test
    void shouldHoldANewReplicaToTheLeadersRate() throws Exception {
        Path dir = TestDirs.create("reassignment-leader-throttle");
        List<BrokerProcess> nodes = ThreeNodes.start(brokers, dir, Map.of());
        String bootstrap = nodes.get(0).bootstrapServers() + "," + nodes.get(1).bootstrapServers();
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        try (Admin admin = Clients.admin(bootstrap)) {
            ThreeNodes.awaitThreeBrokers(admin, SETTLE);
            int leader = createAndFill(admin, bootstrap).get(0);
            int added = leader % 3 + 1;
            List<Integer> target = List.of(leader, added);
            throttleAndMove(admin, "leader", leader, target);

            Bounded.sleep(Duration.ofSeconds(6));
            assertThat(admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS))
                    .as("still copying under the leader's throttle")
                    .containsOnlyKeys(p0);
            Path copy = nodes.get(added - 1).logDir().resolve(TOPIC + "-0");
            assertThat(sizeOf(copy)).as("bytes copied under the throttle").isLessThan((long) RECORDS * RECORD_BYTES);

            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(leader)),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("leader.replication.throttled.rate", ""),
                                    AlterConfigOp.OpType.DELETE))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> replicas(admin).equals(target) && noneListed(admin)))
                    .as("moved to %s once the throttle is removed", target)
                    .isTrue();
        }
    }

    /** The topic, one partition of one replica, filled: returns its replicas. */
    private static List<Integer> createAndFill(Admin admin, String bootstrap) throws Exception {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        List<Integer> replicas = replicas(admin);
        produce(bootstrap);
        return replicas;
    }

    /**
     * Throttles one side ({@code leader} or {@code follower}) as {@code kafka-reassign-partitions --throttle} does:
     * the rate on {@code broker}, the topic's throttled-replica list naming its replica of partition 0; then moves
     * partition 0 to {@code target}.
     */
    private static void throttleAndMove(Admin admin, String side, int broker, List<Integer> target) throws Exception {
        admin.incrementalAlterConfigs(Map.of(
                        new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker)),
                        List.of(set(side + ".replication.throttled.rate", RATE)),
                        new ConfigResource(ConfigResource.Type.TOPIC, TOPIC),
                        List.of(set(side + ".replication.throttled.replicas", "0:" + broker))))
                .all()
                .get(30, TimeUnit.SECONDS);
        admin.alterPartitionReassignments(
                        Map.of(new TopicPartition(TOPIC, 0), Optional.of(new NewPartitionReassignment(target))))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    private static void produce(String bootstrap) throws Exception {
        byte[] filler = new byte[RECORD_BYTES - 10];
        Arrays.fill(filler, (byte) 'x');
        String value = new String(filler);
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value + i));
            }
            producer.flush();
        }
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private static long sizeOf(Path partitionDir) throws Exception {
        try (var files = Files.list(partitionDir)) {
            long total = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".log")) {
                    total += Files.size(f);
                }
            }
            return total;
        }
    }

    private static boolean noneListed(Admin admin) {
        try {
            return admin.listPartitionReassignments()
                    .reassignments()
                    .get(10, TimeUnit.SECONDS)
                    .isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private static List<Integer> replicas(Admin admin) {
        return ids(partition(admin).replicas());
    }

    private static List<Integer> isr(Admin admin) {
        return ids(partition(admin).isr());
    }

    private static List<Integer> ids(Collection<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    private static TopicPartitionInfo partition(Admin admin) {
        try {
            return admin.describeTopics(List.of(TOPIC))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(TOPIC)
                    .partitions()
                    .get(0);
        } catch (Exception e) {
            return new TopicPartitionInfo(0, null, List.of(), List.of());
        }
    }
}
