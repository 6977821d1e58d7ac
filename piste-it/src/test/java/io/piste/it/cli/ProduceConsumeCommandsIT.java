package io.piste.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.PisteCli;
import io.piste.it.support.TestDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code piste produce} and {@code piste consume} against a running Piste broker, checked with a real consumer. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProduceConsumeCommandsIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS = 200;

    private static PisteCli cli() {
        return PisteCli.against(BROKER.bootstrapServers());
    }

    @Test
    void shouldProduceKeyedLinesWithHeadersAndConsumeThemBackAsJson() throws Exception {
        final String topic = "cli-json";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        final Path input = lines("json", RECORDS, i -> "key-" + i + ":value " + i + " \"quoted\":tail");

        final PisteCli.Result produced = cli().run(
                        "produce",
                        topic,
                        "--file",
                        input.toString(),
                        "--key-separator",
                        ":",
                        "--header",
                        "source=cli",
                        "--header",
                        "n=1",
                        "--compression",
                        "lz4")
                .assertSuccess();
        assertThat(produced.stdout())
                .matches("Produced 200 records \\(\\d+\\.\\d KiB\\) to cli-json in \\d+\\.\\d\\d s\n");
        assertThat(produced.stderr()).isEmpty();

        // What the broker holds, read by the Java consumer: keys, values and headers as the lines said.
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers())) {
            final List<ConsumerRecord<String, String>> records = Consume.fromBeginning(
                    consumer, List.of(new TopicPartition(topic, 0)), RECORDS, Consume.RECORDS_TIMEOUT);
            assertThat(records).hasSize(RECORDS);
            for (int i = 0; i < RECORDS; i++) {
                final ConsumerRecord<String, String> record = records.get(i);
                assertThat(record.key()).isEqualTo("key-" + i);
                assertThat(record.value()).isEqualTo("value " + i + " \"quoted\":tail");
                final List<String> headers = new ArrayList<>();
                for (final Header h : record.headers()) {
                    headers.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
                }
                assertThat(headers).containsExactly("source=cli", "n=1");
            }
        }

        final PisteCli.Result consumed = cli().run(
                        "consume",
                        topic,
                        "--from-beginning",
                        "--max-messages",
                        String.valueOf(RECORDS),
                        "--format",
                        "json",
                        "--timeout-ms",
                        "30000")
                .assertSuccess();
        final List<String> lines = consumed.stdoutLines();
        assertThat(lines).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            final JsonNode record = JSON.readTree(lines.get(i));
            assertThat(record.get("topic").asText()).isEqualTo(topic);
            assertThat(record.get("partition").asInt()).isZero();
            assertThat(record.get("offset").asLong()).isEqualTo(i);
            assertThat(record.get("key").asText()).isEqualTo("key-" + i);
            assertThat(record.get("value").asText()).isEqualTo("value " + i + " \"quoted\":tail");
            assertThat(record.get("headers").toString())
                    .isEqualTo("[{\"key\":\"source\",\"value\":\"cli\"},{\"key\":\"n\",\"value\":\"1\"}]");
            assertThat(record.get("timestamp").asLong()).isPositive();
        }
        assertThat(consumed.stderr()).isEqualTo("Processed a total of 200 messages\n");
    }

    @Test
    void shouldConsumePlainFromAnOffsetAndFromATimestamp() throws Exception {
        final String topic = "cli-plain";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 2);
        final Path first = lines("plain-1", 10, i -> "k" + i + "\tv" + i);
        cli().run("produce", topic, "-f", first.toString(), "-K", "\t", "--partition", "1", "-H", "h=x")
                .assertSuccess();
        final long between = Instant.now().toEpochMilli();
        Thread.sleep(20); // the second batch's timestamps are strictly after `between`
        final Path second = lines("plain-2", 5, i -> "late" + i);
        cli().run("produce", topic, "-f", second.toString(), "--partition", "1").assertSuccess();

        assertThat(cli().run(
                                "consume",
                                topic,
                                "--partition",
                                "1",
                                "--offset",
                                "7",
                                "-n",
                                "3",
                                "--print-key",
                                "--print-offset",
                                "--print-headers")
                        .assertSuccess()
                        .stdoutLines())
                .containsExactly(
                        "Partition:1\tOffset:7\th:x\tk7\tv7",
                        "Partition:1\tOffset:8\th:x\tk8\tv8",
                        "Partition:1\tOffset:9\th:x\tk9\tv9");
        assertThat(cli().run(
                                "consume",
                                topic,
                                "--from-timestamp",
                                Instant.ofEpochMilli(between).toString(),
                                "-n",
                                "5",
                                "--print-key",
                                "--timeout-ms",
                                "30000")
                        .assertSuccess()
                        .stdoutLines())
                .containsExactly("null\tlate0", "null\tlate1", "null\tlate2", "null\tlate3", "null\tlate4");
        // Nothing in partition 0: the idle timeout ends the command with what it printed.
        final PisteCli.Result idle =
                cli().run("consume", topic, "--partition", "0", "--from-beginning", "--timeout-ms", "1000");
        assertThat(idle.assertSuccess().stdout()).isEmpty();
        assertThat(idle.stderr()).isEqualTo("Processed a total of 0 messages\n");
    }

    @Test
    void shouldRefuseAMalformedLineAndAnUnknownTopicInOneLine() throws Exception {
        final String topic = "cli-refuse";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        final Path input = lines("refuse", 3, i -> i == 2 ? "no separator" : "k:v" + i);
        final PisteCli.Result malformed = cli().run("produce", topic, "-f", input.toString(), "-K", ":");
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.stderr()).isEqualTo("Error: line 3 has no key separator ':'\n");

        for (final PisteCli.Result unknown : List.of(
                cli().run("produce", "no-such-topic", "-f", input.toString()),
                cli().run("consume", "no-such-topic", "-n", "1"))) {
            assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
            assertThat(unknown.stdout()).isEmpty();
            assertThat(unknown.stderr()).isEqualTo("Error: unknown topic 'no-such-topic'\n");
        }
        final PisteCli.Result usage = cli().run("consume", topic, "--offset", "3");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.stderr()).isEqualTo("Error: --offset needs --partition\nSee 'piste consume --help'.\n");
    }

    private static Path lines(final String name, final int count, final java.util.function.IntFunction<String> line)
            throws Exception {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(line.apply(i)).append('\n');
        }
        final Path file = TestDirs.create("cli-" + name).resolve("input.txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
