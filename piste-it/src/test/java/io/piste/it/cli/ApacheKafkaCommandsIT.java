package io.piste.it.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.piste.it.support.ApacheKafkaProcess;
import io.piste.it.support.PisteCli;
import io.piste.it.support.TestDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same {@code piste} client commands against Apache Kafka 4.4.0: they use only kafka-clients' public API, so
 * they manage a Kafka cluster too. Skipped unless Kafka's classpath is there ({@link ApacheKafkaProcess}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ApacheKafkaCommandsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldManageTopicsRecordsGroupsAndConfigsOfApacheKafka() throws Exception {
        assumeTrue(
                ApacheKafkaProcess.available(), "no Apache Kafka classpath at " + ApacheKafkaProcess.classpathFile());
        final Path dir = TestDirs.create("ApacheKafkaCommandsIT");
        try (ApacheKafkaProcess kafka = ApacheKafkaProcess.start(dir)) {
            final PisteCli cli = PisteCli.against(kafka.bootstrapServers());
            assertThat(cli.run("topic", "create", "k-orders", "-p", "2", "--config", "retention.ms=100000")
                            .assertSuccess()
                            .stdout())
                    .isEqualTo("Created topic k-orders.\n");
            assertThat(cli.run("topic", "describe", "k-orders").assertSuccess().stdoutLines())
                    .contains(
                            "PARTITION  LEADER  REPLICAS  ISR",
                            "0          1       1         1",
                            "1          1       1         1")
                    .anySatisfy(line -> assertThat(line).startsWith("Configs: ").contains("retention.ms=100000"));

            final Path input = dir.resolve("input.txt");
            Files.writeString(input, "a:1\nb:2\nc:3\nd:4\n", StandardCharsets.UTF_8);
            assertThat(cli.run(
                                    "produce",
                                    "k-orders",
                                    "-f",
                                    input.toString(),
                                    "-K",
                                    ":",
                                    "-H",
                                    "h=v",
                                    "--partition",
                                    "1")
                            .assertSuccess()
                            .stdout())
                    .startsWith("Produced 4 records (");
            final List<String> json = cli.run(
                            "consume", "k-orders", "--partition", "1", "--offset", "0", "-n", "4", "--format", "json")
                    .assertSuccess()
                    .stdoutLines();
            assertThat(json).hasSize(4);
            final JsonNode last = JSON.readTree(json.get(3));
            assertThat(last.get("key").asText()).isEqualTo("d");
            assertThat(last.get("value").asText()).isEqualTo("4");
            assertThat(last.get("offset").asLong()).isEqualTo(3);
            assertThat(last.get("headers").toString()).isEqualTo("[{\"key\":\"h\",\"value\":\"v\"}]");

            cli.run("consume", "k-orders", "-g", "k-group", "--partition", "1", "--offset", "0", "-n", "3")
                    .assertSuccess();
            assertThat(cli.run("group", "describe", "k-group", "--status-window", "1")
                            .assertSuccess()
                            .stdoutLines())
                    .contains(
                            "STATUS STOPPED: no members while lag is 1",
                            "k-group  k-orders  1          3               4               1    -            -"
                                    + "     -");
            cli.run("group", "reset", "k-group", "--all-topics", "--to-earliest", "--execute")
                    .assertSuccess();
            final JsonNode group =
                    JSON.readTree(cli.run("group", "describe", "k-group", "-o", "json", "--status-window", "0")
                            .assertSuccess()
                            .stdout());
            assertThat(group.get("partitions").get(0).get("lag").asLong()).isEqualTo(4);
            assertThat(group.get("status").asText()).isEqualTo("STOPPED");

            cli.run("config", "set", "--topic", "k-orders", "retention.ms=5000").assertSuccess();
            assertThat(cli.run("config", "get", "--topic", "k-orders", "retention.ms")
                            .assertSuccess()
                            .stdoutLines())
                    .containsExactly("NAME          VALUE  SOURCE", "retention.ms  5000   topic");
            assertThat(cli.run("cluster", "info").assertSuccess().stdoutLines())
                    .startsWith("Cluster id:  Xq3mTq2aQdyX1Gq0v1x7Zw", "Controller:  1");
            final PisteCli.Result unknown = cli.run("topic", "describe", "nope");
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.stderr()).isEqualTo("Error: unknown topic 'nope'\n");
            assertThat(cli.run("topic", "delete", "k-orders").assertSuccess().stdout())
                    .isEqualTo("Deleted topic k-orders.\n");
        }
        TestDirs.deleteQuietly(dir);
    }
}
