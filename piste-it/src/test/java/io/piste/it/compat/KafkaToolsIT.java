package io.piste.it.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Exec;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.Produce;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache Kafka's own command-line tools (kafka-tools, the classes behind kafka-topics.sh,
 * kafka-console-producer.sh, kafka-console-consumer.sh and kafka-get-offsets.sh), each in a child JVM.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaToolsIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    private static final KafkaTool TOPICS = KafkaTool.topicCommand(BROKER::bootstrapServers);
    private static final KafkaTool CONSOLE_PRODUCER = KafkaTool.consoleProducer(BROKER::bootstrapServers);
    private static final KafkaTool CONSOLE_CONSUMER = KafkaTool.consoleConsumer(BROKER::bootstrapServers);
    private static final KafkaTool GET_OFFSETS = KafkaTool.getOffsetShell(BROKER::bootstrapServers);

    @Test
    void shouldCreateListDescribeAndDeleteWithTopicCommand() throws Exception {
        final String topic = "tools-topic";
        TOPICS.run(
                        "--create",
                        "--topic",
                        topic,
                        "--partitions",
                        "3",
                        "--replication-factor",
                        "1",
                        "--config",
                        "retention.ms=86400000")
                .assertSuccess();

        assertThat(TOPICS.run("--list").assertSuccess().stdoutLines()).contains(topic);

        final Exec.Result described = TOPICS.run("--describe", "--topic", topic).assertSuccess();
        assertThat(described.stdout())
                .contains("Topic: " + topic)
                .contains("PartitionCount: 3")
                .contains("ReplicationFactor: 1")
                .contains("retention.ms=86400000");
        for (int p = 0; p < 3; p++) {
            assertThat(described.stdout())
                    .containsPattern("Partition: " + p + "\\s+Leader: 1\\s+Replicas: 1\\s+Isr: 1");
        }

        TOPICS.run("--delete", "--topic", topic).assertSuccess();

        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(topic);
        }
    }

    @Test
    void shouldReportExistingTopicWithTopicCommand() throws Exception {
        Clients.createTopic(BROKER.bootstrapServers(), "tools-exists", 1);

        final Exec.Result result =
                TOPICS.run("--create", "--topic", "tools-exists", "--partitions", "1", "--replication-factor", "1");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stdout() + result.stderr()).contains("already exists");
    }

    @Test
    void shouldProduceKeyedLinesWithConsoleProducer() {
        final String topic = "tools-console-producer";
        CONSOLE_PRODUCER
                .runWithInput(
                        "k1:one\nk2:two\nk3:three\n",
                        "--topic",
                        topic,
                        "--reader-property",
                        "parse.key=true",
                        "--reader-property",
                        "key.separator=:")
                .assertSuccess();

        final List<ConsumerRecord<String, String>> records =
                Consume.allOf(BROKER.bootstrapServers(), topic, Duration.ofSeconds(30));

        assertThat(records).extracting(r -> r.key() + "=" + r.value()).containsExactly("k1=one", "k2=two", "k3=three");
    }

    @Test
    void shouldConsumePartitionFromEarliestWithConsoleConsumer() throws Exception {
        final String topic = "tools-console-consumer";
        Produce.toPartition(BROKER.bootstrapServers(), topic, 0, 0, 5);

        final Exec.Result consumed = CONSOLE_CONSUMER
                .run(
                        "--topic",
                        topic,
                        "--partition",
                        "0",
                        "--offset",
                        "earliest",
                        "--max-messages",
                        "5",
                        "--timeout-ms",
                        "20000",
                        "--formatter-property",
                        "print.key=true",
                        "--formatter-property",
                        "key.separator=:",
                        "--command-property",
                        "enable.auto.commit=false")
                .assertSuccess();

        assertThat(consumed.stdoutLines()).containsExactly("k0:v0", "k1:v1", "k2:v2", "k3:v3", "k4:v4");
    }

    @Test
    void shouldRoundTripConsoleProducerToConsoleConsumer() {
        final String topic = "tools-round-trip";
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add("line " + i);
        }
        CONSOLE_PRODUCER
                .runWithInput(String.join("\n", lines) + "\n", "--topic", topic, "--compression-codec", "lz4")
                .assertSuccess();

        final Exec.Result consumed = CONSOLE_CONSUMER
                .run(
                        "--topic",
                        topic,
                        "--partition",
                        "0",
                        "--offset",
                        "earliest",
                        "--max-messages",
                        "50",
                        "--timeout-ms",
                        "20000",
                        "--command-property",
                        "enable.auto.commit=false")
                .assertSuccess();

        assertThat(consumed.stdoutLines()).containsExactlyElementsOf(lines);
    }

    @Test
    void shouldGetEarliestAndLatestOffsetsWithGetOffsetShell() throws Exception {
        final String topic = "tools-offsets";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 2);
        Produce.toPartition(BROKER.bootstrapServers(), topic, 0, 0, 7);

        assertThat(GET_OFFSETS
                        .run("--topic", topic, "--time", "-1")
                        .assertSuccess()
                        .stdoutLines())
                .containsExactlyInAnyOrder(topic + ":0:7", topic + ":1:0");
        assertThat(GET_OFFSETS
                        .run("--topic", topic, "--time", "-2")
                        .assertSuccess()
                        .stdoutLines())
                .containsExactlyInAnyOrder(topic + ":0:0", topic + ":1:0");
    }
}
