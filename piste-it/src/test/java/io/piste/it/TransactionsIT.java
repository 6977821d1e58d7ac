package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transactions end to end with the real kafka-clients producer, consumer and Admin, under both transaction protocols:
 * v2 (KIP-890, what kafka-clients 4 uses when the broker finalizes {@code transaction.version=2}) and v1 (what older
 * clients such as librdkafka use). Committed transactions are visible to read_committed consumers and aborted ones
 * never; read_uncommitted sees both; offsets sent to a transaction are committed with it; a second producer of an id
 * fences the first and aborts its transaction; a transaction left open past its timeout is aborted; an open
 * transaction survives a restart of the broker and commits after it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Path dir;
    private TestBroker broker;

    private void start(short transactionVersion, Map<String, String> more) throws Exception {
        dir = TestDirs.create("txn-it");
        Map<String, String> config = new HashMap<>(more);
        config.put("transaction.version", String.valueOf(transactionVersion));
        broker = TestBroker.start(dir, config);
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        TestDirs.deleteQuietly(dir);
    }

    private KafkaProducer<String, String> transactional(String transactionalId, Object... more) {
        Map<String, Object> config = new HashMap<>(Clients.props(more));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return Clients.producer(broker.bootstrapServers(), config);
    }

    /**
     * The topic's values as a consumer of {@code isolation} reads them to the end. EndTxn is answered once the
     * decision is durable and the markers follow (as in Kafka), so a read_committed read first waits, bounded, until
     * no transaction holds back any partition (the last stable offsets equal the high watermarks).
     */
    private List<String> values(String topic, String isolation) throws Exception {
        if (isolation.equals("read_committed")) {
            awaitNoOpenTransaction(topic);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(
                broker.bootstrapServers(), Clients.props(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
            List<String> values = new ArrayList<>();
            for (ConsumerRecord<String, String> record :
                    Consume.toEnd(consumer, Consume.partitionsOf(consumer, topic), TIMEOUT)) {
                values.add(record.value());
            }
            return values;
        }
    }

    private void awaitNoOpenTransaction(String topic) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            int partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            boolean settled = Bounded.waitFor(TIMEOUT, Duration.ofMillis(50), () -> {
                try {
                    var committed = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                            .all()
                            .get(10, TimeUnit.SECONDS);
                    var uncommitted = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                            .all()
                            .get(10, TimeUnit.SECONDS);
                    return latest.keySet().stream()
                            .allMatch(tp -> committed.get(tp).offset()
                                    == uncommitted.get(tp).offset());
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(settled)
                    .as("every transaction of " + topic + " ended (LSO = HW)")
                    .isTrue();
        }
    }

    private static TransactionDescription awaitState(Admin admin, String transactionalId, TransactionState state) {
        TransactionDescription[] last = new TransactionDescription[1];
        Bounded.waitFor(TIMEOUT, Duration.ofMillis(50), () -> {
            try {
                last[0] = admin.describeTransactions(List.of(transactionalId))
                        .description(transactionalId)
                        .get(10, TimeUnit.SECONDS);
                return last[0].state() == state;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(last[0]).as(transactionalId + "'s description").isNotNull();
        assertThat(last[0].state()).isEqualTo(state);
        return last[0];
    }

    private static List<String> numbered(String prefix, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(prefix + i);
        }
        return values;
    }

    @ParameterizedTest(name = "transaction.version={0}")
    @ValueSource(shorts = {1, 2})
    void readCommittedSeesCommittedTransactionsOnly(short transactionVersion) throws Exception {
        start(transactionVersion, Map.of());
        Clients.createTopic(broker.bootstrapServers(), "t", 3);
        try (KafkaProducer<String, String> producer = transactional("tx-commit")) {
            producer.initTransactions();
            producer.beginTransaction();
            numbered("c", 10).forEach(v -> producer.send(new ProducerRecord<>("t", v, v)));
            producer.commitTransaction();
            producer.beginTransaction();
            numbered("a", 10).forEach(v -> producer.send(new ProducerRecord<>("t", v, v)));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            numbered("d", 5).forEach(v -> producer.send(new ProducerRecord<>("t", v, v)));
            producer.commitTransaction();
        }
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            // the markers follow the answer to EndTxn: the completion comes a moment later
            TransactionDescription description = awaitState(admin, "tx-commit", TransactionState.COMPLETE_COMMIT);
            // protocol v2 bumps the epoch at each of the three ends; v1 keeps the epoch InitProducerId gave
            assertThat(description.producerEpoch()).isEqualTo(transactionVersion == 2 ? 3 : 0);
        }
        List<String> committed = new ArrayList<>(numbered("c", 10));
        committed.addAll(numbered("d", 5));
        List<String> all = new ArrayList<>(committed);
        all.addAll(numbered("a", 10));
        assertThat(values("t", "read_committed")).containsExactlyInAnyOrderElementsOf(committed);
        assertThat(values("t", "read_uncommitted")).containsExactlyInAnyOrderElementsOf(all);
    }

    @ParameterizedTest(name = "transaction.version={0}")
    @ValueSource(shorts = {1, 2})
    void consumeTransformProduceCommitsOutputsAndOffsetsTogether(short transactionVersion) throws Exception {
        start(transactionVersion, Map.of());
        String bootstrap = broker.bootstrapServers();
        Clients.createTopic(bootstrap, "in", 2);
        for (String out : List.of("out-a", "out-b", "out-c")) {
            Clients.createTopic(bootstrap, out, 2);
        }
        List<String> input = numbered("r", 60);
        try (KafkaProducer<String, String> plain = Clients.producer(bootstrap)) {
            input.forEach(v -> plain.send(new ProducerRecord<>("in", v, v)));
        }
        Map<String, Object> consumerConfig = Clients.props(
                ConsumerConfig.GROUP_ID_CONFIG, "ctp",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, consumerConfig);
                KafkaProducer<String, String> producer = transactional("tx-ctp")) {
            producer.initTransactions();
            consumer.subscribe(List.of("in"));
            int processed = 0;
            boolean abortedOnce = false;
            Bounded.Deadline deadline = Bounded.Deadline.in(TIMEOUT);
            while (processed < input.size()) {
                assertThat(deadline.passed()).as("all input processed in time").isFalse();
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> record : records) {
                    for (String out : List.of("out-a", "out-b", "out-c")) {
                        producer.send(new ProducerRecord<>(out, record.key(), record.value()));
                    }
                    offsets.put(
                            new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                if (!abortedOnce) {
                    // the first batch is aborted: its outputs and offsets vanish, and it is read and written again
                    producer.flush();
                    producer.abortTransaction();
                    abortedOnce = true;
                    for (TopicPartition tp : consumer.assignment()) {
                        OffsetAndMetadata committed =
                                consumer.committed(java.util.Set.of(tp)).get(tp);
                        if (committed == null) {
                            consumer.seekToBeginning(List.of(tp));
                        } else {
                            consumer.seek(tp, committed.offset());
                        }
                    }
                    continue;
                }
                producer.commitTransaction();
                processed += records.count();
            }
        }
        for (String out : List.of("out-a", "out-b", "out-c")) {
            assertThat(values(out, "read_committed")).as(out).containsExactlyInAnyOrderElementsOf(input);
        }
        try (Admin admin = Clients.admin(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("ctp")
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            long total = committed.values().stream()
                    .mapToLong(OffsetAndMetadata::offset)
                    .sum();
            assertThat(total).as("committed offsets cover the input once").isEqualTo(input.size());
        }
    }

    @ParameterizedTest(name = "transaction.version={0}")
    @ValueSource(shorts = {1, 2})
    void aNewProducerOfTheIdFencesTheOldOneAndAbortsItsTransaction(short transactionVersion) throws Exception {
        start(transactionVersion, Map.of());
        Clients.createTopic(broker.bootstrapServers(), "t", 1);
        try (KafkaProducer<String, String> zombie = transactional("tx-zombie");
                KafkaProducer<String, String> fresh = transactional("tx-zombie")) {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("t", "zombie")).get(30, TimeUnit.SECONDS);
            fresh.initTransactions();
            assertThatThrownBy(() -> {
                        zombie.send(new ProducerRecord<>("t", "zombie-2"));
                        zombie.commitTransaction();
                    })
                    .isInstanceOf(KafkaException.class);
            fresh.beginTransaction();
            fresh.send(new ProducerRecord<>("t", "fresh"));
            fresh.commitTransaction();
        }
        assertThat(values("t", "read_committed")).containsExactly("fresh");
    }

    @ParameterizedTest(name = "transaction.version={0}")
    @ValueSource(shorts = {1, 2})
    void aTransactionLeftOpenPastItsTimeoutIsAborted(short transactionVersion) throws Exception {
        start(transactionVersion, Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200"));
        Clients.createTopic(broker.bootstrapServers(), "t", 1);
        try (KafkaProducer<String, String> producer =
                        transactional("tx-timeout", ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1500);
                Admin admin = Clients.admin(broker.bootstrapServers())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("t", "late")).get(30, TimeUnit.SECONDS);
            // the coordinator aborts it (a check every 200 ms here) once its 1,500 ms are over
            awaitState(admin, "tx-timeout", TransactionState.COMPLETE_ABORT);
        }
        assertThat(values("t", "read_committed")).isEmpty();
        assertThat(values("t", "read_uncommitted")).containsExactly("late");
    }

    @ParameterizedTest(name = "transaction.version={0}")
    @ValueSource(shorts = {1, 2})
    void anOpenTransactionSurvivesARestartAndCommitsAfterIt(short transactionVersion) throws Exception {
        start(transactionVersion, Map.of());
        Clients.createTopic(broker.bootstrapServers(), "t", 2);
        try (KafkaProducer<String, String> producer = transactional("tx-restart");
                Admin admin = Clients.admin(broker.bootstrapServers())) {
            producer.initTransactions();
            producer.beginTransaction();
            numbered("before", 5).forEach(v -> producer.send(new ProducerRecord<>("t", v, v)));
            producer.flush();
            broker.restart();
            Collection<TransactionListing> listed =
                    admin.listTransactions().all().get(30, TimeUnit.SECONDS);
            assertThat(listed)
                    .extracting(TransactionListing::transactionalId, TransactionListing::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("tx-restart", TransactionState.ONGOING));
            producer.commitTransaction();
        }
        assertThat(values("t", "read_committed")).containsExactlyInAnyOrderElementsOf(numbered("before", 5));
    }

    /**
     * A producer's pipelined load (bench/transactions' throughput cell, smaller): transactions of 50 records back to
     * back, five requests in flight, small batches so each transaction reaches every partition in several. Under
     * protocol v2 the broker adds each partition itself; the batches must still reach each partition in their
     * order (a batch overtaking an earlier one of its partition is refused as out of sequence, which the producer
     * cannot recover from). Every committed record is read back once.
     */
    @ParameterizedTest(name = "transaction.version={0}")
    @ValueSource(shorts = {1, 2})
    void aPipelinedProducerCommitsTransactionsBackToBack(short transactionVersion) throws Exception {
        start(transactionVersion, Map.of());
        Clients.createTopic(broker.bootstrapServers(), "t", 6);
        int transactions = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (KafkaProducer<String, String> producer = transactional(
                "tx-pipelined",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                5,
                ProducerConfig.BATCH_SIZE_CONFIG,
                2_048,
                ProducerConfig.LINGER_MS_CONFIG,
                0)) {
            producer.initTransactions();
            String padding = "x".repeat(200);
            while (transactions < 400 && System.nanoTime() < deadline) {
                producer.beginTransaction();
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>("t", transactions + "-" + i + padding));
                }
                producer.commitTransaction();
                transactions++;
            }
        }
        assertThat(transactions).as("transactions committed within 20 s").isGreaterThanOrEqualTo(50);
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < transactions; t++) {
            for (int i = 0; i < 50; i++) {
                expected.add(t + "-" + i + "x".repeat(200));
            }
        }
        assertThat(values("t", "read_committed")).containsExactlyInAnyOrderElementsOf(expected);
    }
}
