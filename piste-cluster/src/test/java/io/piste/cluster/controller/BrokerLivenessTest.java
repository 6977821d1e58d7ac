package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.QuorumNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.DuplicateBrokerRegistrationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Registration and fencing of three brokers whose controllers share one quorum on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrokerLivenessTest {
    private static final LivenessSettings LIVENESS =
            new LivenessSettings(Duration.ofMillis(1500), Duration.ofMillis(200));

    @TempDir
    Path root;

    private QuorumNodes<QuorumController> brokers() throws Exception {
        return brokers(LIVENESS, id -> 9090 + id);
    }

    /** Three serving brokers, each registered with its listener at {@code portOf} its id. */
    private QuorumNodes<QuorumController> brokers(LivenessSettings liveness, IntUnaryOperator portOf) throws Exception {
        QuorumNodes<QuorumController> nodes = new QuorumNodes<>(
                        3, root, 1000, s -> QuorumController.start(s, liveness), QuorumController::quorum)
                .startAll();
        nodes.awaitLeader();
        for (int id = 1; id <= 3; id++) {
            QuorumController controller = nodes.node(id);
            controller.registerBroker(
                    "", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", portOf.applyAsInt(id))));
            controller.unfence();
        }
        nodes.awaitImages(
                i -> i.brokers().size() == 3 && i.brokers().values().stream().noneMatch(BrokerImage::fenced),
                "3 serving brokers");
        return nodes;
    }

    private static void serve(QuorumNodes<QuorumController> nodes, int id) throws Exception {
        QuorumController controller = nodes.node(id);
        controller.registerBroker("", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9090 + id)));
        controller.unfence();
    }

    @Test
    void shouldFenceABrokerWhoseNodeStoppedAndTakeItBackWithAHigherEpoch() throws Exception {
        try (QuorumNodes<QuorumController> nodes = brokers()) {
            int leader = nodes.awaitLeader();
            int lost = leader % 3 + 1;
            assertThat(nodes.node(lost).brokerEpoch()).isEqualTo(1);
            nodes.stop(lost); // as a kill: no controlled shutdown

            nodes.awaitImages(i -> i.broker(lost).fenced(), "broker " + lost + " fenced");
            assertThat(nodes.node(leader).image().broker(leader).fenced()).isFalse();

            nodes.start(lost);
            serve(nodes, lost);
            assertThat(nodes.node(lost).brokerEpoch()).isEqualTo(2);
            nodes.awaitImages(
                    i -> i.broker(lost).epoch() == 2 && !i.broker(lost).fenced(), "broker back, epoch 2");
        }
    }

    @Test
    void shouldFenceAtOnceABrokerWhoseNodeStoppedAndWhoseListenerRefusesConnections() throws Exception {
        LivenessSettings probing =
                new LivenessSettings(Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofMillis(400));
        int refusing = closedPort(); // nothing listens there: as the port of a process killed with -9
        try (QuorumNodes<QuorumController> nodes = brokers(probing, id -> refusing)) {
            int leader = nodes.awaitLeader();
            int lost = leader % 3 + 1;
            long stopped = System.nanoTime();
            nodes.stop(lost);

            nodes.awaitImages(i -> i.broker(lost).fenced(), "broker " + lost + " fenced");
            assertThat(Duration.ofNanos(System.nanoTime() - stopped))
                    .as("fenced long before its 60 s session")
                    .isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void shouldWaitOutTheSessionOfABrokerWhoseListenerStillAccepts() throws Exception {
        LivenessSettings probing =
                new LivenessSettings(Duration.ofMillis(4000), Duration.ofMillis(200), Duration.ofMillis(400));
        try (ServerSocket accepting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                QuorumNodes<QuorumController> nodes = brokers(probing, id -> accepting.getLocalPort())) {
            int leader = nodes.awaitLeader();
            int lost = leader % 3 + 1;
            nodes.stop(lost); // its quorum member is silent, but its listener accepts: paused, or cut off

            Thread.sleep(2500); // six probes and more, within the session
            assertThat(nodes.node(leader).image().broker(lost).fenced()).isFalse();
            nodes.awaitImages(i -> i.broker(lost).fenced(), "broker " + lost + " fenced after its session");
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void shouldMoveLeadershipOffAFencedBrokerAndBackWhenItReturns() throws Exception {
        try (QuorumNodes<QuorumController> nodes = brokers()) {
            int leader = nodes.awaitLeader();
            int lost = leader % 3 + 1;
            TopicImage single = nodes.node(leader).createTopic("single", 6, Map.of()); // one replica each
            TopicImage triple = nodes.node(leader).createTopic("triple", 6, 3, Map.of());
            List<PartitionImage> placed = nodes.node(leader).image().partitions(single.topicId());
            assertThat(placed).hasSize(6);
            assertThat(placed.stream().filter(p -> p.leader() == lost)).hasSize(2); // striped: 2 of 6 each

            nodes.stop(lost);
            nodes.awaitImages(
                    i -> i.partitions(triple.topicId()).stream()
                                    .allMatch(
                                            p -> p.leader() != lost && !p.isr().contains(lost))
                            && i.partitions(single.topicId()).stream()
                                    .allMatch(p -> !p.replicas().contains(lost) || p.leader() == -1),
                    "no partition led by broker " + lost);

            nodes.start(lost);
            serve(nodes, lost);
            nodes.awaitImages(
                    i -> i.partitions(single.topicId()).stream()
                            .allMatch(p -> p.leader() == p.replicas().get(0)),
                    "every single-replica partition led by its replica again");
            for (PartitionImage p : nodes.node(lost).image().partitions(single.topicId())) {
                assertThat(p.leaderEpoch()).isEqualTo(p.replicas().get(0) == lost ? 2 : 0);
            }
        }
    }

    @Test
    void shouldStayFencedAfterAControlledShutdown() throws Exception {
        try (QuorumNodes<QuorumController> nodes = brokers()) {
            nodes.node(2).fenceSelf();
            nodes.awaitImages(i -> i.broker(2).fenced(), "broker 2 fenced");
            Thread.sleep(3 * LIVENESS.heartbeatInterval().toMillis()); // rounds that must not unfence it
            assertThat(nodes.node(1).image().broker(2).fenced()).isTrue();
        }
    }

    @Test
    void shouldUnfenceAServingBrokerThatFindsItselfFenced() throws Exception {
        try (QuorumNodes<QuorumController> nodes = brokers()) {
            // As the leader does to a broker that was paused for longer than its session.
            nodes.node(1).quorum().propose(List.of(new MetadataRecord.BrokerFencing(3, 1, true)));
            nodes.awaitImages(i -> !i.broker(3).fenced(), "broker 3 serving again");
        }
    }

    @Test
    void shouldRefuseAnotherProcessRegisteringTheIdOfAServingBroker() throws Exception {
        try (QuorumNodes<QuorumController> nodes = brokers()) {
            MetadataRecord.BrokerRegistration impostor = new MetadataRecord.BrokerRegistration(
                    1, 2, Uuid.randomUuid(), "", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 1)));
            assertThatThrownBy(() -> nodes.node(2).quorum().propose(List.of(impostor)))
                    .isInstanceOf(DuplicateBrokerRegistrationException.class);
            assertThat(nodes.node(2).image().broker(1).epoch()).isEqualTo(1);
        }
    }

    @Test
    void shouldTakeBackABrokerRestartedBeforeItsSessionExpiredAtNewLeaderEpochs() throws Exception {
        // A session long enough that the previous process is never fenced for silence before the new one registers.
        LivenessSettings longSession = new LivenessSettings(Duration.ofSeconds(60), Duration.ofMillis(200));
        try (QuorumNodes<QuorumController> nodes = new QuorumNodes<>(
                        3, root, 1000, s -> QuorumController.start(s, longSession), QuorumController::quorum)
                .startAll()) {
            nodes.awaitLeader();
            for (int id = 1; id <= 3; id++) {
                serve(nodes, id);
            }
            int leader = nodes.awaitLeader();
            int restarted = leader % 3 + 1;
            TopicImage triple = nodes.node(leader).createTopic("triple", 6, 3, Map.of());
            nodes.awaitImages(
                    i -> i.partitions(triple.topicId()).stream().anyMatch(p -> p.leader() == restarted),
                    "a partition led by broker " + restarted);

            nodes.stop(restarted); // as a kill, and back at once: its registration still serves
            nodes.start(restarted);
            nodes.node(restarted)
                    .startServing("", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9099)));

            assertThat(nodes.node(restarted).brokerEpoch()).isEqualTo(2);
            nodes.awaitImages(
                    i -> i.broker(restarted).epoch() == 2
                            && !i.broker(restarted).fenced(),
                    "broker " + restarted + " serving at epoch 2");
            for (PartitionImage p : nodes.node(leader).image().partitions(triple.topicId())) {
                assertThat(p.leader() != restarted || p.leaderEpoch() > 0)
                        .as("%s: not led at its previous process's epoch", p)
                        .isTrue();
            }
        }
    }

    @Test
    void shouldStopTryingToRegisterOnceClosed() throws Exception {
        try (QuorumNodes<QuorumController> nodes = brokers()) {
            QuorumController stopped = nodes.node(3);
            nodes.stop(3); // its quorum member and client are closed: no registration can go through

            assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> assertThatThrownBy(() -> stopped.startServing(
                                    "", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9093))))
                            .isInstanceOf(IOException.class));
        }
    }
}
