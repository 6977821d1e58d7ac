package io.piste.it.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Exec;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * librdkafka's transactional producer (Debian's python3-confluent-kafka, librdkafka 2.0, transaction protocol v1)
 * against Piste: the script {@code librdkafka/transactions.py} commits a transaction, aborts one, and commits a
 * consume-transform-produce transaction with the consumer group's offsets; kafka-clients consumers then see exactly
 * the committed records under read_committed and every record under read_uncommitted, and the group's offset that
 * the transaction carried. The module is installed by the README's test command line: without it the test fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LibrdkafkaTransactionsIT {
    /** Debian's interpreter: the one python3-confluent-kafka installs its module for (not a pyenv one on PATH). */
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @BeforeAll
    static void requireConfluentKafka() {
        assertThat(Files.isExecutable(PYTHON))
                .as("%s (apt-get install python3 python3-confluent-kafka)", PYTHON)
                .isTrue();
        Exec.Result probe = Exec.run(
                List.of(PYTHON.toString(), "-c", "import confluent_kafka; print(confluent_kafka.libversion()[0])"),
                "",
                TIMEOUT);
        assertThat(probe.exitCode())
                .as("the confluent_kafka module of %s (apt-get install python3-confluent-kafka): %s", PYTHON, probe)
                .isZero();
    }

    @Test
    void shouldCommitAndAbortLibrdkafkaTransactionsAsReadCommittedConsumersSee() throws Exception {
        String bootstrap = BROKER.bootstrapServers();
        Clients.createTopic(bootstrap, "rdk-in", 1);
        Clients.createTopic(bootstrap, "rdk-out", 1);
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            for (String value : List.of("a", "b", "c")) {
                producer.send(new ProducerRecord<>("rdk-in", 0, "k", value)).get(30, TimeUnit.SECONDS);
            }
        }

        Exec.Result run = Exec.run(
                List.of(
                        PYTHON.toString(),
                        script().toString(),
                        bootstrap,
                        "rdk-in",
                        "rdk-out",
                        "rdk-group",
                        "rdk-txn",
                        "3"),
                "",
                SCRIPT_TIMEOUT);

        assertThat(run.exitCode()).as("the script: %s", run).isZero();
        assertThat(run.stdoutLines())
                .as("every step of the script")
                .containsExactly(
                        "init_transactions",
                        "commit_transaction",
                        "abort_transaction",
                        "send_offsets_to_transaction rdk-in:0:3",
                        "done");
        assertThat(values("rdk-out", "read_committed"))
                .containsExactly("committed-1", "committed-2", "ctp-a", "ctp-b", "ctp-c");
        assertThat(values("rdk-out", "read_uncommitted"))
                .containsExactly("committed-1", "committed-2", "aborted-1", "ctp-a", "ctp-b", "ctp-c");
        try (Admin admin = Clients.admin(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("rdk-group")
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertThat(offsets)
                    .as("the offsets committed with the last transaction")
                    .containsEntry(new TopicPartition("rdk-in", 0), new OffsetAndMetadata(3));
            TransactionDescription described = admin.describeTransactions(List.of("rdk-txn"))
                    .description("rdk-txn")
                    .get(30, TimeUnit.SECONDS);
            assertThat(described.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
            assertThat(described.producerEpoch())
                    .as("protocol v1: the epoch does not move between transactions")
                    .isZero();
        }
    }

    private static Path script() throws URISyntaxException {
        return Path.of(LibrdkafkaTransactionsIT.class
                .getResource("/librdkafka/transactions.py")
                .toURI());
    }

    private static List<String> values(String topic, String isolation) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(
                BROKER.bootstrapServers(), Clients.props(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
            List<String> values = new ArrayList<>();
            for (ConsumerRecord<String, String> record :
                    Consume.toEnd(consumer, List.of(new TopicPartition(topic, 0)), TIMEOUT)) {
                values.add(record.value());
            }
            return values;
        }
    }
}
