package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.TestDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka 4.4.0's own command-line tools against three {@code piste server} processes, as an operator runs them:
 * {@code kafka-topics --describe} (with {@code --under-replicated-partitions} while a node is away),
 * {@code kafka-leader-election}, {@code kafka-reassign-partitions --execute} and {@code --verify}, and {@code
 * kafka-metadata-quorum describe --status} and {@code --replication}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KafkaClusterToolsIT {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldBeOperatedWithKafkasOwnTools() throws Exception {
        Path dir = TestDirs.create("kafka-cluster-tools");
        List<BrokerProcess> nodes = ThreeNodes.start(brokers, dir, Map.of());
        Supplier<String> bootstrap = () -> nodes.get(0).bootstrapServers();
        KafkaTool topics = KafkaTool.topicCommand(bootstrap);
        try (Admin admin = Clients.admin(bootstrap.get())) {
            ThreeNodes.awaitThreeBrokers(admin, SETTLE);
        }

        topics.run("--create", "--topic", "tools", "--partitions", "3", "--replication-factor", "3")
                .assertSuccess();
        List<String> described =
                topics.run("--describe", "--topic", "tools").assertSuccess().stdoutLines();
        assertThat(described.get(0)).contains("PartitionCount: 3").contains("ReplicationFactor: 3");
        assertThat(described.stream().filter(line -> line.contains("Partition: ")))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).containsPattern("Replicas: \\d,\\d,\\d\\s+Isr: \\d,\\d,\\d"));
        assertThat(topics.run("--describe", "--under-replicated-partitions")
                        .assertSuccess()
                        .stdout())
                .isBlank();

        // A node away: its partitions are under-replicated, and led elsewhere.
        BrokerProcess third = nodes.get(2);
        third.kill9();
        assertThat(Bounded.waitFor(
                        SETTLE,
                        Duration.ofMillis(500),
                        () -> topics.run("--describe", "--topic", "tools", "--under-replicated-partitions")
                                        .stdoutLines()
                                        .size()
                                == 3))
                .as("kafka-topics lists the three partitions under-replicated")
                .isTrue();
        third.restart();
        try (Admin admin = Clients.admin(bootstrap.get())) {
            assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(500), () -> allInSync(admin, "tools")))
                    .as("node 3 back in every ISR")
                    .isTrue();
            // Preferred leader election gives node 3 back the partition it prefers to lead.
            String election = KafkaTool.leaderElectionCommand(bootstrap)
                    .run("--election-type", "preferred", "--all-topic-partitions")
                    .assertSuccess()
                    .stdout();
            assertThat(election).containsAnyOf("Successfully completed leader election", "Valid replica already");
            assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(500), () -> ledByPreferred(admin, "tools")))
                    .as("every partition of tools led by its preferred replica")
                    .isTrue();
        }

        // A reassignment written as an operator writes it, executed and verified.
        topics.run("--create", "--topic", "moved", "--partitions", "1", "--replication-factor", "2")
                .assertSuccess();
        int[] target;
        try (Admin admin = Clients.admin(bootstrap.get())) {
            List<Integer> replicas = ThreeNodes.describe(admin, "moved").partitions().get(0).replicas().stream()
                    .map(Node::id)
                    .toList();
            int absent = List.of(1, 2, 3).stream()
                    .filter(id -> !replicas.contains(id))
                    .findFirst()
                    .orElseThrow();
            target = new int[] {absent, replicas.get(0)};
        }
        Path plan = dir.resolve("reassignment.json");
        Files.writeString(
                plan,
                "{\"version\":1,\"partitions\":[{\"topic\":\"moved\",\"partition\":0,\"replicas\":[" + target[0] + ","
                        + target[1] + "]}]}",
                StandardCharsets.UTF_8);
        KafkaTool reassign = KafkaTool.reassignPartitionsCommand(bootstrap);
        assertThat(reassign.run("--reassignment-json-file", plan.toString(), "--execute")
                        .assertSuccess()
                        .stdout())
                .contains("Successfully started partition reassignment");
        assertThat(Bounded.waitFor(
                        SETTLE,
                        Duration.ofMillis(500),
                        () -> reassign.run("--reassignment-json-file", plan.toString(), "--verify")
                                .stdout()
                                .contains("Reassignment of partition moved-0 is completed")))
                .as("kafka-reassign-partitions --verify says completed")
                .isTrue();
        assertThat(topics.run("--describe", "--topic", "moved").assertSuccess().stdout())
                .contains("Replicas: " + target[0] + "," + target[1]);

        KafkaTool quorum = KafkaTool.metadataQuorumCommand(bootstrap);
        String status = quorum.run("describe", "--status").assertSuccess().stdout();
        assertThat(status).containsPattern("LeaderId:\\s+[123]").contains("CurrentVoters:");
        assertThat(status).contains("\"id\": 1").contains("\"id\": 2").contains("\"id\": 3");
        List<String> replication =
                quorum.run("describe", "--replication").assertSuccess().stdoutLines();
        assertThat(replication.stream().filter(line -> line.contains("Leader") || line.contains("Follower")))
                .hasSize(3);
    }

    private static boolean allInSync(Admin admin, String topic) {
        return ThreeNodes.describe(admin, topic).partitions().stream()
                .allMatch(p -> p.isr().size() == p.replicas().size());
    }

    private static boolean ledByPreferred(Admin admin, String topic) {
        for (TopicPartitionInfo partition : ThreeNodes.describe(admin, topic).partitions()) {
            if (partition.leader() == null
                    || partition.leader().id() != partition.replicas().get(0).id()) {
                return false;
            }
        }
        return true;
    }
}
