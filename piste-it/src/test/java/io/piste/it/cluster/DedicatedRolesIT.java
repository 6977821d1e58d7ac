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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's production layout: three controller-only nodes ({@code process.roles=controller}, the voters, serving no
 * clients) and three broker-only nodes ({@code process.roles=broker}) that find them through
 * {@code controller.quorum.bootstrap.servers}, started before them. The real clients see the three brokers, the
 * voters and the observers in DescribeQuorum, and one active controller in the metrics; the active controller killed,
 * another takes over and fences a broker killed after it; no acknowledged record is lost or read twice.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DedicatedRolesIT {
    private static final String TOPIC = "dedicated-orders";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 300;
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final String ACTIVE = "kafka_controller_kafkacontroller_activecontrollercount";

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    @Test
    void shouldRunOnControllerOnlyAndBrokerOnlyNodesAndSurviveTheLossOfTheActiveController() throws Exception {
        Path dir = TestDirs.create("dedicated-roles");
        String voters = ThreeNodes.freeVoters();
        List<BrokerProcess> controllers = new ArrayList<>();
        List<BrokerProcess> brokers = new ArrayList<>();
        // The brokers name the controllers as Kafka 4's broker configs do, without ids, and start first: they wait.
        String bootstrapServers = Arrays.stream(voters.split(","))
                .map(voter -> voter.substring(voter.indexOf('@') + 1))
                .collect(Collectors.joining(","));
        for (int id = 4; id <= 6; id++) {
            Map<String, String> config = ThreeNodes.nodeConfig(id, "broker", voters);
            config.remove("controller.quorum.voters");
            config.put("controller.quorum.bootstrap.servers", bootstrapServers);
            config.put("offsets.topic.num.partitions", "3");
            brokers.add(processes.launch("node-" + id, dir.resolve("node-" + id), dir, config));
        }
        for (int id = 1; id <= 3; id++) {
            Map<String, String> config = ThreeNodes.nodeConfig(id, "controller", voters);
            config.put("offsets.topic.num.partitions", "3");
            controllers.add(processes.launch("node-" + id, dir.resolve("node-" + id), dir, config));
        }
        for (BrokerProcess controller : controllers) {
            controller.awaitStarted();
            assertThat(controller.output()).contains("Piste controller ready on");
        }
        for (BrokerProcess broker : brokers) {
            broker.awaitStarted();
        }
        String bootstrap = ThreeNodes.bootstrap(brokers);

        try (Admin admin = Clients.admin(bootstrap)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> ThreeNodes.liveBrokerIds(admin).equals(Set.of(4, 5, 6))))
                    .as("the three broker-only nodes serve; the controllers are no brokers")
                    .isTrue();
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
            assertThat(quorum.voters())
                    .extracting(QuorumInfo.ReplicaState::replicaId)
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThat(quorum.observers())
                    .extracting(QuorumInfo.ReplicaState::replicaId)
                    .containsExactlyInAnyOrder(4, 5, 6);
            admin.createTopics(List.of(
                            new NewTopic(TOPIC, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        BrokerProcess active = awaitOneActiveController(controllers);
        assertThat(ThreeNodes.scrape(active).valueOrZero("kafka_controller_kafkacontroller_activebrokercount"))
                .isEqualTo(3);
        assertThat(ThreeNodes.metricSum(brokers, ACTIVE))
                .as("active controllers among the brokers")
                .isZero();

        Set<String> acknowledged = ThreeNodes.produceAcknowledged(bootstrap, TOPIC, PARTITIONS, RECORDS, "first");
        active.kill9();
        controllers.remove(active);
        acknowledged.addAll(ThreeNodes.produceAcknowledged(bootstrap, TOPIC, PARTITIONS, RECORDS, "second"));
        awaitOneActiveController(controllers);

        BrokerProcess lostBroker = brokers.remove(0);
        lostBroker.kill9();
        String survivors = ThreeNodes.bootstrap(brokers);
        try (Admin admin = Clients.admin(survivors)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> ThreeNodes.liveBrokerIds(admin).equals(Set.of(5, 6))))
                    .as("broker 4 fenced by the new active controller")
                    .isTrue();
        }
        acknowledged.addAll(ThreeNodes.produceAcknowledged(survivors, TOPIC, PARTITIONS, RECORDS, "third"));
        assertThat(ThreeNodes.missingAfterReading(
                        survivors, TOPIC, IntStream.range(0, PARTITIONS).boxed().toList(), acknowledged, SETTLE))
                .as("acknowledged records not read back")
                .isEmpty();
    }

    /** The one controller whose metrics say it is active, once exactly one does. */
    private static BrokerProcess awaitOneActiveController(List<BrokerProcess> controllers) {
        BrokerProcess[] active = new BrokerProcess[1];
        assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> {
                    List<BrokerProcess> saying = controllers.stream()
                            .filter(c -> ThreeNodes.scrape(c).valueOrZero(ACTIVE) == 1)
                            .toList();
                    active[0] = saying.size() == 1 ? saying.get(0) : null;
                    return active[0] != null;
                }))
                .as("exactly one active controller among the controller-only nodes")
                .isTrue();
        return active[0];
    }
}
