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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The group and transaction coordinators move with the leaders of their partitions of {@code __consumer_offsets} and
 * {@code __transaction_state} (replicated three times, as Kafka creates them in a cluster): the node coordinating a
 * consumer group (classic, and KIP-848) or a transactional id is killed with -9, and the new leader of its partition
 * loads it from its replica. The group's member goes on from its committed offsets and commits through the new
 * coordinator; a transactional producer goes on, and read_committed consumers see exactly the committed records.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class CoordinatorFailoverIT {
    private static final String TOPIC = "events";
    private static final int PARTITIONS = 3;
    private static final int BATCH = 300;
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Map<String, String> CLUSTER = Map.of(
            "replica.lag.time.max.ms", "6000",
            "transaction.state.log.num.partitions", "6",
            "transaction.abort.timed.out.transaction.cleanup.interval.ms", "2000");

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldKeepAClassicGroupConsumingFromItsCommittedOffsetsWhenItsCoordinatorIsKilled() throws Exception {
        groupSurvivesItsCoordinator("classic", "failover-classic");
    }

    @Test
    void shouldKeepAConsumerProtocolGroupConsumingFromItsCommittedOffsetsWhenItsCoordinatorIsKilled() throws Exception {
        groupSurvivesItsCoordinator("consumer", "failover-kip848");
    }

    private void groupSurvivesItsCoordinator(String protocol, String group) throws Exception {
        Path dir = TestDirs.create("coordinator-failover-" + protocol);
        List<BrokerProcess> nodes = ThreeNodes.start(brokers, dir, CLUSTER);
        String bootstrap = bootstrap(nodes);
        createTopic(bootstrap, TOPIC);
        produce(bootstrap, "first-", BATCH);

        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        if (protocol.equals("classic")) {
            // KIP-848's session and heartbeat are the broker's group.consumer.* settings
            config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
            config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, config)) {
            consumer.subscribe(List.of(TOPIC));
            Set<String> first = consume(consumer, "first-", BATCH, Set.of());
            assertThat(first).hasSize(BATCH);
            consumer.commitSync(Duration.ofSeconds(30));

            int victim;
            try (Admin admin = Clients.admin(bootstrap)) {
                TopicDescription offsetsTopic = describe(admin, "__consumer_offsets");
                for (TopicPartitionInfo p : offsetsTopic.partitions()) {
                    assertThat(p.replicas()).as("__consumer_offsets replicated").hasSize(3);
                }
                victim = admin.describeConsumerGroups(List.of(group))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .get(group)
                        .coordinator()
                        .id();
            }
            nodes.get(victim - 1).kill9();

            String survivors = survivors(nodes, victim);
            produce(survivors, "second-", BATCH);
            // the member goes on; a record of the first batch again would mean the group lost its committed offsets
            Set<String> second = consume(consumer, "second-", BATCH, first);
            assertThat(second).hasSize(BATCH);
            Bounded.run("commit through the new coordinator", Duration.ofSeconds(90), () -> {
                while (true) {
                    try {
                        consumer.commitSync(Duration.ofSeconds(20));
                        return;
                    } catch (KafkaException e) {
                        // a rebalance or a coordinator still loading: poll (which rejoins), then commit again
                        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                            assertThat(first).as("consumed again").doesNotContain(record.value());
                        }
                    }
                }
            });

            try (Admin admin = Clients.admin(survivors)) {
                int coordinator = admin.describeConsumerGroups(List.of(group))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .get(group)
                        .coordinator()
                        .id();
                assertThat(coordinator).as("the new coordinator").isNotEqualTo(victim);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                long total = committed.values().stream()
                        .mapToLong(OffsetAndMetadata::offset)
                        .sum();
                assertThat(total).as("committed offsets over the topic").isEqualTo(2L * BATCH);
            }
        }
        // a new member of the group starts from the committed offsets: nothing is read again
        produce(survivors(nodes, -1), "third-", 10);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(survivors(nodes, -1), config)) {
            consumer.subscribe(List.of(TOPIC));
            Set<String> third = consume(consumer, "third-", 10, Set.of());
            assertThat(third).hasSize(10);
        }
    }

    @Test
    void shouldKeepTransactionsExactWhenTheTransactionCoordinatorIsKilled() throws Exception {
        Path dir = TestDirs.create("coordinator-failover-txn");
        List<BrokerProcess> nodes = ThreeNodes.start(brokers, dir, CLUSTER);
        String bootstrap = bootstrap(nodes);
        createTopic(bootstrap, TOPIC);
        String transactionalId = "failover-txn";
        Map<String, Object> config = Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 20_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        Set<String> committed = new HashSet<>();
        Set<String> inFlight = new HashSet<>();
        boolean inFlightCommitted = false;
        int victim;
        KafkaProducer<String, String> producer = Clients.producer(bootstrap, config);
        try {
            producer.initTransactions();
            sendInTransaction(producer, "committed-", 100, committed);
            producer.commitTransaction();

            producer.beginTransaction();
            for (int i = 0; i < 50; i++) {
                String value = "in-flight-" + i;
                producer.send(new ProducerRecord<>(TOPIC, value, value));
                inFlight.add(value);
            }
            producer.flush();
            try (Admin admin = Clients.admin(bootstrap)) {
                for (TopicPartitionInfo p :
                        describe(admin, "__transaction_state").partitions()) {
                    assertThat(p.replicas())
                            .as("__transaction_state replicated")
                            .hasSize(3);
                }
                victim = admin.describeTransactions(List.of(transactionalId))
                        .description(transactionalId)
                        .get(30, TimeUnit.SECONDS)
                        .coordinatorId();
            }
            nodes.get(victim - 1).kill9();
            try {
                producer.commitTransaction();
                inFlightCommitted = true;
            } catch (KafkaException e) {
                // the commit's outcome is the new coordinator's to decide: all of it or none, as checked below
                producer.close(Duration.ofSeconds(5));
                producer = Clients.producer(survivors(nodes, victim), config);
                producer.initTransactions(); // fences the old producer, aborting its transaction if still open
            }
            sendInTransaction(producer, "after-", 100, committed);
            producer.commitTransaction();
        } finally {
            producer.close(Duration.ofSeconds(10));
        }

        Set<String> read = readCommitted(survivors(nodes, victim), committed.size() + inFlight.size());
        assertThat(read).as("every committed record").containsAll(committed);
        Set<String> inFlightRead = new HashSet<>(read);
        inFlightRead.retainAll(inFlight);
        if (inFlightCommitted) {
            assertThat(inFlightRead)
                    .as("the transaction committed through the new coordinator")
                    .isEqualTo(inFlight);
        } else {
            assertThat(inFlightRead.size())
                    .as("the interrupted transaction: all of it or none")
                    .isIn(0, inFlight.size());
        }
        Set<String> expected = new HashSet<>(committed);
        expected.addAll(inFlightRead);
        assertThat(read).as("nothing but committed records").isEqualTo(expected);
    }

    private static void sendInTransaction(
            KafkaProducer<String, String> producer, String prefix, int count, Set<String> committed) {
        producer.beginTransaction();
        for (int i = 0; i < count; i++) {
            String value = prefix + i;
            producer.send(new ProducerRecord<>(TOPIC, value, value));
            committed.add(value);
        }
    }

    /** Reads the whole topic with read_committed until {@code atMost} records or a quiet 10 s; no record twice. */
    private static Set<String> readCommitted(String bootstrap, int atMost) {
        Set<String> read = new HashSet<>();
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(bootstrap, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(90));
            long quietSince = System.nanoTime();
            while (!deadline.passed() && read.size() < atMost) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> record : records) {
                    assertThat(read.add(record.value()))
                            .as("%s read twice", record.value())
                            .isTrue();
                }
                if (!records.isEmpty()) {
                    quietSince = System.nanoTime();
                } else if (!read.isEmpty()
                        && System.nanoTime() - quietSince
                                > Duration.ofSeconds(30).toNanos()) {
                    break;
                }
            }
        }
        return read;
    }

    /** Polls until {@code count} records of {@code prefix} came (bounded); none may be one of {@code seenBefore}. */
    private static Set<String> consume(
            KafkaConsumer<String, String> consumer, String prefix, int count, Set<String> seenBefore) {
        Set<String> seen = new HashSet<>();
        Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(120));
        while (seen.size() < count && !deadline.passed()) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                assertThat(seenBefore)
                        .as("a record consumed and committed before is consumed again")
                        .doesNotContain(record.value());
                if (record.value().startsWith(prefix)) {
                    seen.add(record.value());
                }
            }
        }
        return seen;
    }

    private static void produce(String bootstrap, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < count; i++) {
                String value = prefix + i;
                producer.send(new ProducerRecord<>(TOPIC, value, value));
            }
            producer.flush();
        }
    }

    private static void createTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            ThreeNodes.awaitThreeBrokers(admin, SETTLE);
            Map<String, String> configs = new HashMap<>();
            configs.put("min.insync.replicas", "2");
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 3).configs(configs)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static String bootstrap(List<BrokerProcess> nodes) {
        return survivors(nodes, -1);
    }

    /** The bootstrap servers of every node but {@code victim}. */
    private static String survivors(List<BrokerProcess> nodes, int victim) {
        List<String> servers = new ArrayList<>();
        for (int id = 1; id <= nodes.size(); id++) {
            if (id != victim) {
                servers.add(nodes.get(id - 1).bootstrapServers());
            }
        }
        return String.join(",", servers);
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic);
    }
}
