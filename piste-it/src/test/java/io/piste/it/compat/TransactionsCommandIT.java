package io.piste.it.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.Partition;
import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.KafkaTool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's {@code kafka-transactions} tool (TransactionsCommand, run in a child JVM) against Piste: {@code list},
 * {@code describe} and {@code describe-producers} of a kafka-clients producer's running transaction, then committed;
 * {@code find-hanging} and {@code abort} of a hanging transaction, a transactional batch that the coordinator does
 * not know, written through the broker's internal append path with timestamps older than the tool's default
 * 15-minute window (the tool measures a transaction's age from its producer's last timestamp in the partition).
 * The abort writes the ABORT marker through WriteTxnMarkers: the last stable offset moves past it and read_committed
 * reads on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionsCommandIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A producer id far above any the broker hands out in this test: the coordinator knows nothing of it. */
    private static final long HANGING_PID = 4_000_000L;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    private static final KafkaTool TRANSACTIONS = KafkaTool.transactionsCommand(BROKER::bootstrapServers);

    @Test
    void shouldListAndDescribeARunningTransactionThenItsCommit() throws Exception {
        String bootstrap = BROKER.bootstrapServers();
        Clients.createTopic(bootstrap, "tool-running", 2);
        String brokerId = Integer.toString(brokerId());
        try (KafkaProducer<String, String> producer =
                Clients.producer(bootstrap, Clients.props(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tool-txn"))) {
            producer.initTransactions();
            producer.beginTransaction();
            RecordMetadata first = producer.send(new ProducerRecord<>("tool-running", 0, "k", "v0"))
                    .get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>("tool-running", 1, "k", "v1")).get(30, TimeUnit.SECONDS);

            List<String> listed = row(TRANSACTIONS.run("list").assertSuccess().stdoutLines(), "tool-txn");
            String producerId = listed.get(2);
            assertThat(listed)
                    .as("TransactionalId Coordinator ProducerId TransactionState")
                    .containsExactly("tool-txn", brokerId, producerId, "Ongoing");

            List<String> described = row(describe("tool-txn"), "tool-txn");
            assertThat(described.get(0)).as("CoordinatorId").isEqualTo(brokerId);
            assertThat(described.get(2)).as("ProducerId").isEqualTo(producerId);
            assertThat(described.get(4)).as("TransactionState").isEqualTo("Ongoing");
            assertThat(described.get(5)).as("TransactionTimeoutMs").isEqualTo("60000");
            assertThat(Long.parseLong(described.get(6)))
                    .as("CurrentTransactionStartTimeMs")
                    .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
            assertThat(Arrays.asList(described.get(8).split(",")))
                    .as("TopicPartitions")
                    .containsExactlyInAnyOrder("tool-running-0", "tool-running-1");

            List<String> producers = row(describeProducers("tool-running", 0), producerId);
            assertThat(producers.get(producers.size() - 1))
                    .as("CurrentTransactionStartOffset")
                    .isEqualTo(Long.toString(first.offset()));

            producer.commitTransaction();
        }
        Bounded.Deadline deadline = Bounded.Deadline.in(TIMEOUT);
        List<String> described = row(describe("tool-txn"), "tool-txn");
        while (!described.get(4).equals("CompleteCommit") && !deadline.passed()) {
            Bounded.sleep(Duration.ofMillis(100));
            described = row(describe("tool-txn"), "tool-txn");
        }
        assertThat(described.get(4)).as("TransactionState after the commit").isEqualTo("CompleteCommit");
        assertThat(described)
                .as("no start time, no duration, no partitions")
                .hasSize(8)
                .endsWith("None", "None");
        assertThat(row(TRANSACTIONS.run("list").assertSuccess().stdoutLines(), "tool-txn"))
                .endsWith("CompleteCommit");
    }

    @Test
    void shouldFindAndAbortAHangingTransaction() throws Exception {
        String bootstrap = BROKER.bootstrapServers();
        Clients.createTopic(bootstrap, "tool-hanging", 1);
        TopicPartition tp = new TopicPartition("tool-hanging", 0);
        Partition partition = BROKER.broker().partition("tool-hanging", 0);
        long twentyMinutesAgo = System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(20);
        partition.appendRecordsToLeader(MemoryRecords.withRecords(Compression.NONE, record(twentyMinutesAgo, "before"))
                .buffer()); // 0
        partition.appendRecordsToLeader(MemoryRecords.withTransactionalRecords(
                        Compression.NONE,
                        HANGING_PID,
                        (short) 3,
                        0,
                        record(twentyMinutesAgo, "hanging-1"),
                        record(twentyMinutesAgo, "hanging-2"))
                .buffer()); // 1-2
        partition.appendRecordsToLeader(
                MemoryRecords.withRecords(Compression.NONE, record(System.currentTimeMillis(), "after"))
                        .buffer()); // 3
        awaitHighWatermark(partition, 4);
        assertThat(partition.lastStableOffset())
                .as("held at the open transaction")
                .isEqualTo(1);
        assertThat(values(tp, "read_committed")).containsExactly("before");
        String brokerId = Integer.toString(brokerId());

        List<String> hanging = row(
                TRANSACTIONS
                        .run("find-hanging", "--broker-id", brokerId)
                        .assertSuccess()
                        .stdoutLines(),
                "tool-hanging");
        assertThat(hanging.subList(0, 7))
                .as("Topic Partition ProducerId ProducerEpoch CoordinatorEpoch StartOffset LastTimestamp")
                .containsExactly(
                        "tool-hanging",
                        "0",
                        Long.toString(HANGING_PID),
                        "3",
                        "-1",
                        "1",
                        Long.toString(twentyMinutesAgo));
        assertThat(Long.parseLong(hanging.get(7))).as("Duration(min)").isBetween(20L, 21L);
        assertThat(row(describeProducers("tool-hanging", 0), Long.toString(HANGING_PID)))
                .as("ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp StartOffset")
                .containsExactly(Long.toString(HANGING_PID), "3", "-1", "1", Long.toString(twentyMinutesAgo), "1");
        try (KafkaProducer<String, String> producer =
                Clients.producer(bootstrap, Clients.props(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tool-known"))) {
            // A young transaction the coordinator knows: with no age limit the tool finds it open in its partition,
            // looks its producer id up (ListTransactions) and its partitions (DescribeTransactions), and keeps quiet.
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tool-hanging", 0, "k", "known")).get(30, TimeUnit.SECONDS);
            List<String> noAgeLimit = TRANSACTIONS
                    .run("find-hanging", "--broker-id", brokerId, "--max-transaction-timeout", "0")
                    .assertSuccess()
                    .stdoutLines();
            assertThat(noAgeLimit)
                    .as("the header and the unknown producer's transaction")
                    .hasSize(2);
            assertThat(row(noAgeLimit, "tool-hanging")).contains(Long.toString(HANGING_PID));
            producer.abortTransaction(); // "known" at 4, its ABORT marker at 5
        }
        awaitHighWatermark(partition, 6);

        TRANSACTIONS
                .run("abort", "--topic", "tool-hanging", "--partition", "0", "--start-offset", "1")
                .assertSuccess();

        awaitHighWatermark(partition, 7);
        assertThat(partition.lastStableOffset())
                .as("past the ABORT marker at 6")
                .isEqualTo(7);
        assertThat(values(tp, "read_committed")).containsExactly("before", "after");
        assertThat(values(tp, "read_uncommitted"))
                .containsExactly("before", "hanging-1", "hanging-2", "after", "known");
        assertThat(row(describeProducers("tool-hanging", 0), Long.toString(HANGING_PID)))
                .as("the coordinator epoch 0 the tool used, no open transaction")
                .startsWith(Long.toString(HANGING_PID), "3", "0", "1")
                .endsWith("None");
        assertThat(TRANSACTIONS
                        .run("find-hanging", "--broker-id", brokerId)
                        .assertSuccess()
                        .stdoutLines())
                .as("only the header")
                .hasSize(1);
    }

    private static List<String> describe(String transactionalId) {
        return TRANSACTIONS
                .run("describe", "--transactional-id", transactionalId)
                .assertSuccess()
                .stdoutLines();
    }

    private static List<String> describeProducers(String topic, int partition) {
        return TRANSACTIONS
                .run("describe-producers", "--topic", topic, "--partition", Integer.toString(partition))
                .assertSuccess()
                .stdoutLines();
    }

    /** The columns of the one table row whose first column (or, failing that, any column) is {@code key}. */
    private static List<String> row(List<String> lines, String key) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> columns = Arrays.asList(line.trim().split("\\s+"));
            if (columns.contains(key)) {
                rows.add(columns);
            }
        }
        assertThat(rows).as("one row of %s in %s", key, lines).hasSize(1);
        return rows.get(0);
    }

    private static int brokerId() throws Exception {
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            return admin.describeCluster()
                    .nodes()
                    .get(30, TimeUnit.SECONDS)
                    .iterator()
                    .next()
                    .id();
        }
    }

    private static SimpleRecord record(long timestamp, String value) {
        return new SimpleRecord(timestamp, null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void awaitHighWatermark(Partition partition, long offset) {
        Bounded.Deadline deadline = Bounded.Deadline.in(TIMEOUT);
        while (partition.highWatermark() < offset) {
            assertThat(deadline.passed())
                    .as("high watermark reached %d", offset)
                    .isFalse();
            Bounded.sleep(Duration.ofMillis(10));
        }
    }

    private static List<String> values(TopicPartition tp, String isolation) {
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
            List<String> values = new ArrayList<>();
            for (ConsumerRecord<String, String> record : Consume.toEnd(consumer, List.of(tp), TIMEOUT)) {
                values.add(record.value());
            }
            return values;
        }
    }
}
