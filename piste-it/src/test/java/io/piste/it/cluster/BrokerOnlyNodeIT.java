package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fourth node started with {@code process.roles=broker} beside the three voters (Kafka's broker-only node, an
 * observer of the metadata quorum) joins the cluster with no step of its own: the real Admin sees four brokers and
 * the fourth as an observer in DescribeQuorum, replicas are placed on it, clients produce through it, and when it is
 * killed it is fenced, its partitions move, and no acknowledged record is lost; restarted, it is back in the ISR.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BrokerOnlyNodeIT {
    private static final String TOPIC = "edge-orders";
    private static final int PARTITIONS = 4;
    private static final int RECORDS = 400;
    private static final int BROKER_ONLY = 4;
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldServeABrokerOnlyNodeAsAFourthBrokerAndLoseNothingWhenItIsKilled() throws Exception {
        Path dir = TestDirs.create("broker-only");
        String voters = ThreeNodes.freeVoters();
        List<BrokerProcess> nodes = new ArrayList<>();
        ThreeNodes.start(brokers, dir, voters, id -> Map.of(), nodes);
        BrokerProcess brokerOnly = brokers.launch(
                "cluster-node-4", dir.resolve("node-4"), dir, ThreeNodes.nodeConfig(BROKER_ONLY, "broker", voters));
        brokerOnly.awaitStarted();
        String viaBrokerOnly = brokerOnly.bootstrapServers();

        try (Admin admin = Clients.admin(viaBrokerOnly)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> ThreeNodes.liveBrokerIds(admin).equals(Set.of(1, 2, 3, 4))))
                    .as("four brokers serve, the broker-only one too")
                    .isTrue();
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            TopicDescription topic = ThreeNodes.describe(admin, TOPIC);
            assertThat(topic.partitions().stream()
                            .filter(p -> p.replicas().stream().anyMatch(n -> n.id() == BROKER_ONLY)))
                    .as("partitions with a replica on the broker-only node")
                    .hasSizeGreaterThanOrEqualTo(PARTITIONS / 2);
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
            assertThat(quorum.voters())
                    .extracting(QuorumInfo.ReplicaState::replicaId)
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThat(quorum.observers())
                    .extracting(QuorumInfo.ReplicaState::replicaId)
                    .containsExactly(BROKER_ONLY);
            assertThat(quorum.observers().get(0).logEndOffset()).isPositive();
        }

        Set<String> acknowledged = ThreeNodes.produceAcknowledged(viaBrokerOnly, TOPIC, PARTITIONS, RECORDS, "before");
        brokerOnly.kill9();
        String viaVoter = nodes.get(0).bootstrapServers();
        try (Admin admin = Clients.admin(viaVoter)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> ThreeNodes.liveBrokerIds(admin).equals(Set.of(1, 2, 3))))
                    .as("the killed broker-only node fenced")
                    .isTrue();
            assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> noLeaderOn(admin, BROKER_ONLY)))
                    .as("its partitions led elsewhere")
                    .isTrue();
        }
        acknowledged.addAll(ThreeNodes.produceAcknowledged(viaVoter, TOPIC, PARTITIONS, RECORDS, "after"));
        assertThat(ThreeNodes.missingAfterReading(
                        viaVoter, TOPIC, IntStream.range(0, PARTITIONS).boxed().toList(), acknowledged, SETTLE))
                .as("acknowledged records not read back")
                .isEmpty();

        brokerOnly.restart();
        try (Admin admin = Clients.admin(viaVoter)) {
            assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> inEveryIsrOfItsReplicas(admin)))
                    .as("the restarted broker-only node back in the ISR of its partitions")
                    .isTrue();
        }
    }

    private static boolean noLeaderOn(Admin admin, int node) {
        return ThreeNodes.describe(admin, TOPIC).partitions().stream()
                .allMatch(p -> p.leader() != null && p.leader().id() != node);
    }

    private static boolean inEveryIsrOfItsReplicas(Admin admin) {
        for (TopicPartitionInfo partition : ThreeNodes.describe(admin, TOPIC).partitions()) {
            boolean replica = partition.replicas().stream().map(Node::id).anyMatch(id -> id == BROKER_ONLY);
            boolean inSync = partition.isr().stream().map(Node::id).anyMatch(id -> id == BROKER_ONLY);
            if (replica && !inSync) {
                return false;
            }
        }
        return true;
    }
}
