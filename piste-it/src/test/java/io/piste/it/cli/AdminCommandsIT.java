package io.piste.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.PisteCli;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code piste topic}, {@code piste config} and {@code piste cluster} against a running Piste broker. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminCommandsIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PisteCli cli() {
        return PisteCli.against(BROKER.bootstrapServers());
    }

    @Test
    void shouldCreateDescribeAlterAndDeleteATopic() throws Exception {
        final String topic = "cli-topic";
        assertThat(cli().run(
                                "topic",
                                "create",
                                topic,
                                "--partitions",
                                "3",
                                "--replication-factor",
                                "1",
                                "--config",
                                "retention.ms=123456")
                        .assertSuccess()
                        .stdout())
                .isEqualTo("Created topic cli-topic.\n");
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final TopicDescription created = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic);
            assertThat(created.partitions()).hasSize(3);

            assertThat(cli().run("topic", "describe", topic).assertSuccess().stdoutLines())
                    .containsExactly(
                            "Topic: cli-topic  TopicId: " + created.topicId() + "  Partitions: 3  ReplicationFactor: 1",
                            "Configs: retention.ms=123456",
                            "PARTITION  LEADER  REPLICAS  ISR",
                            "0          1       1         1",
                            "1          1       1         1",
                            "2          1       1         1");

            assertThat(cli().run("topic", "alter", topic, "--partitions", "5", "--config", "cleanup.policy=compact")
                            .assertSuccess()
                            .stdout())
                    .isEqualTo("Altered topic cli-topic: partitions now 5; set cleanup.policy=compact.\n");
            assertThat(admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(topic)
                            .partitions())
                    .hasSize(5);
        }

        final JsonNode described = JSON.readTree(cli().run("topic", "describe", topic, "--output", "json")
                .assertSuccess()
                .stdout());
        assertThat(described.get("name").asText()).isEqualTo(topic);
        assertThat(described.get("partitions")).hasSize(5);
        assertThat(described.get("partitions").get(4).get("leader").asInt()).isEqualTo(1);
        assertThat(described.get("configs").get("cleanup.policy").asText()).isEqualTo("compact");
        assertThat(described.get("configs").get("retention.ms").asText()).isEqualTo("123456");

        assertThat(cli().run("topic", "list").assertSuccess().stdoutLines()).contains(topic);
        assertThat(cli().run("topic", "create", topic).exitCode()).isEqualTo(1);
        assertThat(cli().run("topic", "create", topic, "--if-not-exists")
                        .assertSuccess()
                        .exitCode())
                .isZero();

        final PisteCli.Result shrink = cli().run("topic", "alter", topic, "--partitions", "2");
        assertThat(shrink.exitCode()).isEqualTo(1);
        assertThat(shrink.stderrLines()).hasSize(1);
        assertThat(shrink.stderr()).startsWith("Error: InvalidPartitions: ");

        assertThat(cli().run("topic", "delete", topic).assertSuccess().stdout())
                .isEqualTo("Deleted topic cli-topic.\n");
        assertThat(cli().run("topic", "list").assertSuccess().stdoutLines()).doesNotContain(topic);
        final PisteCli.Result gone = cli().run("topic", "describe", topic);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.stdout()).isEmpty();
        assertThat(gone.stderr()).isEqualTo("Error: unknown topic 'cli-topic'\n");
    }

    @Test
    void shouldSetGetAndDeleteTopicConfigs() throws Exception {
        final String topic = "cli-configs";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);

        assertThat(cli().run("config", "get", "--topic", topic).assertSuccess().stdout())
                .isEqualTo("All configs of topic cli-configs are defaults (--all to list them).\n");
        assertThat(cli().run("config", "set", "--topic", topic, "retention.ms=1000", "segment.bytes=1048576")
                        .assertSuccess()
                        .stdout())
                .isEqualTo("Updated topic cli-configs: set retention.ms=1000, segment.bytes=1048576.\n");
        assertThat(cli().run("config", "get", "--topic", topic).assertSuccess().stdoutLines())
                .containsExactly(
                        "NAME           VALUE    SOURCE",
                        "retention.ms   1000     topic",
                        "segment.bytes  1048576  topic");
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            final Config config = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resource);
            assertThat(config.get("retention.ms").value()).isEqualTo("1000");
        }

        assertThat(cli().run("config", "set", "--topic", topic, "--delete", "retention.ms")
                        .assertSuccess()
                        .stdout())
                .isEqualTo("Updated topic cli-configs: deleted retention.ms.\n");
        final JsonNode json = JSON.readTree(cli().run("config", "get", "--topic", topic, "retention.ms", "-o", "json")
                .assertSuccess()
                .stdout());
        assertThat(json.get("retention.ms").get("value").asText()).isEqualTo("604800000");
        assertThat(json.get("retention.ms").get("source").asText()).isEqualTo("default");
        assertThat(cli().run("config", "get", "--topic", topic).assertSuccess().stdoutLines())
                .containsExactly("NAME           VALUE    SOURCE", "segment.bytes  1048576  topic");

        assertThat(cli().run("config", "get", "--broker", "1").assertSuccess().stdoutLines())
                .anySatisfy(line -> assertThat(line).matches("log\\.dirs\\s+\\S+\\s+broker"));

        final PisteCli.Result unknown = cli().run("config", "get", "--topic", "no-such-topic");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).isEqualTo("Error: unknown topic 'no-such-topic'\n");
        final PisteCli.Result invalid = cli().run("config", "set", "--topic", topic, "retention.ms=soon");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.stderrLines()).hasSize(1);
        assertThat(invalid.stderr()).startsWith("Error: InvalidConfiguration");
    }

    @Test
    void shouldDescribeTheCluster() throws Exception {
        Clients.createTopic(BROKER.bootstrapServers(), "cli-cluster-a", 2);
        Clients.createTopic(BROKER.bootstrapServers(), "cli-cluster-b", 3);
        final String clusterId;
        final int topics;
        final int partitions;
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
            final Map<String, TopicDescription> all = admin.describeTopics(
                            admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            topics = all.size();
            partitions =
                    all.values().stream().mapToInt(d -> d.partitions().size()).sum();
        }
        final int port = BROKER.broker().port();
        final String portColumn = String.valueOf(port);

        assertThat(cli().run("cluster", "info").assertSuccess().stdoutLines())
                .containsExactly(
                        "Cluster id:  " + clusterId,
                        "Controller:  1",
                        "Topics:      " + topics + " (" + partitions + " partitions)",
                        "BROKER  HOST       " + "PORT" + " ".repeat(portColumn.length() - 4 + 2) + "RACK",
                        "1       127.0.0.1  " + portColumn + "  -");
        final JsonNode json = JSON.readTree(
                cli().run("cluster", "info", "-o", "json").assertSuccess().stdout());
        assertThat(json.get("clusterId").asText()).isEqualTo(clusterId);
        assertThat(json.get("brokers").get(0).get("port").asInt()).isEqualTo(port);
        assertThat(json.get("partitions").asInt()).isEqualTo(partitions);
    }
}
