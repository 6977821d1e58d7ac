package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.MetricsScrape;
import io.piste.it.support.RawClient;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three {@code piste server} processes started with the same {@code controller.quorum.voters} form one cluster with
 * no format step: the real Admin, producer and consumer, each given one node's address, see all three brokers, a
 * topic's partitions led by all three, and a consumer group coordinated by whichever node leads its offsets
 * partition, and transactions over partitions led by all three. A node stopped cleanly fences itself; one killed
 * is fenced by the quorum's leader once silent: the partitions it led have no leader (one replica each, no
 * replication yet) while the others keep serving, and it leads them again, with every acknowledged record, when it
 * returns.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterIT {
    private static final String TOPIC = "cluster-orders";
    private static final int PARTITIONS = 6;
    private static final int RECORDS = 600;
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void shouldServeOneTopicFromThreeNodesAndKeepServingWhileOneIsAway() throws Exception {
        Path dir = TestDirs.create("cluster");
        List<BrokerProcess> nodes = startCluster(dir);
        String bootstrap = nodes.get(0).bootstrapServers();

        try (Admin admin = Clients.admin(bootstrap)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> liveBrokerIds(admin).equals(Set.of(1, 2, 3))))
                    .as("all three brokers registered and unfenced")
                    .isTrue();
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            TopicDescription topic = ThreeNodes.describe(admin, TOPIC);
            Set<Integer> leaders =
                    topic.partitions().stream().map(p -> p.leader().id()).collect(Collectors.toSet());
            assertThat(leaders).as("leaders of the 6 partitions").isEqualTo(Set.of(1, 2, 3));
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
            assertThat(quorum.voters())
                    .extracting(QuorumInfo.ReplicaState::replicaId)
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThat(quorum.leaderId()).isIn(1, 2, 3);
            assertThat(quorum.highWatermark()).as("committed metadata changes").isPositive();
            assertThat(quorum.nodes()).as("each voter at its quorum port").hasSize(3);
        }

        // A node answers only for the partitions it leads; the others' leader is named in Metadata.
        try (Admin admin = Clients.admin(bootstrap)) {
            for (TopicPartitionInfo p : ThreeNodes.describe(admin, TOPIC).partitions()) {
                for (BrokerProcess node : nodes) {
                    int nodeId = nodes.indexOf(node) + 1;
                    assertThat(listOffsetsError(node.port(), p.partition()))
                            .as(
                                    "ListOffsets for partition %d (led by %d) sent to node %d",
                                    p.partition(), p.leader().id(), nodeId)
                            .isEqualTo(p.leader().id() == nodeId ? Errors.NONE : Errors.NOT_LEADER_OR_FOLLOWER);
                }
            }
        }

        Map<Integer, String> written = produce(bootstrap, 0, RECORDS);
        assertThat(written).hasSize(RECORDS);
        // Through another node: the group's coordinator is whichever node leads its offsets partition.
        Map<Integer, String> read = consume(nodes.get(1).bootstrapServers(), "cluster-group", RECORDS);
        assertThat(read).isEqualTo(written);

        // Partitions added to a topic are placed over the nodes too; a deleted topic is gone from every node.
        try (Admin admin = Clients.admin(bootstrap)) {
            String grown = "cluster-grown";
            admin.createTopics(List.of(new NewTopic(grown, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.createPartitions(Map.of(grown, NewPartitions.increaseTo(9)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
                for (int p = 0; p < 9; p++) {
                    assertThat(producer.send(new ProducerRecord<>(grown, p, "k", "v"))
                                    .get(30, TimeUnit.SECONDS)
                                    .offset())
                            .as("first offset of %s-%d", grown, p)
                            .isZero();
                }
            }
            admin.deleteTopics(List.of(grown)).all().get(30, TimeUnit.SECONDS);
            for (BrokerProcess node : nodes) {
                try (Admin nodeAdmin = Clients.admin(node.bootstrapServers())) {
                    assertThat(Bounded.waitFor(
                                    SETTLE,
                                    Duration.ofMillis(100),
                                    () -> !topicNames(nodeAdmin).contains(grown)))
                            .as("%s deleted, as %s sees it", grown, node.bootstrapServers())
                            .isTrue();
                }
            }
        }

        // Transactions over partitions led by all three nodes: the coordinator's markers reach the other leaders.
        transact(bootstrap, "committed", true);
        transact(bootstrap, "aborted", false);
        // Readable under read_committed only once the aborted transaction's markers are in every partition.
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            for (int p = 0; p < PARTITIONS; p++) {
                producer.send(new ProducerRecord<>(TOPIC, p, "txn-after-" + p, "plain"))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        Set<String> expected = expectedTransactional("committed");
        for (int p = 0; p < PARTITIONS; p++) {
            expected.add("txn-after-" + p);
        }
        assertThat(readCommittedTransactional(nodes.get(2).bootstrapServers(), expected.size()))
                .as("what a read_committed consumer sees of the two transactions and the records after them")
                .isEqualTo(expected);

        // Offsets committed in a transaction whose coordinator is not the group's
        try (Admin admin = Clients.admin(bootstrap)) {
            String transactionalId = "cluster-txn-offsets";
            int transactionCoordinator = leaderOf(
                    admin,
                    "__transaction_state",
                    Utils.abs(transactionalId.hashCode()) % partitionCount(admin, "__transaction_state"));
            String group = groupCoordinatedElsewhere(admin, transactionCoordinator);
            TopicPartition first = new TopicPartition(TOPIC, 0);
            try (KafkaProducer<String, String> producer = Clients.producer(
                            bootstrap, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId));
                    KafkaConsumer<String, String> consumer =
                            Clients.consumer(bootstrap, Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, 0, "txn-offsets", "x"));
                producer.sendOffsetsToTransaction(Map.of(first, new OffsetAndMetadata(42)), consumer.groupMetadata());
                producer.commitTransaction();
            }
            assertThat(Bounded.waitFor(
                            SETTLE, Duration.ofMillis(200), () -> committedOffset(admin, group, first) == 42))
                    .as("group %s's offset, committed by transaction %s", group, transactionalId)
                    .isTrue();
        }

        BrokerProcess away = nodes.get(2);
        int leaderless;
        away.stop();
        assertThat(away.output()).contains("stopped cleanly");
        try (Admin admin = Clients.admin(bootstrap)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> liveBrokerIds(admin).equals(Set.of(1, 2))))
                    .as("the stopped node fenced")
                    .isTrue();
            TopicDescription topic = ThreeNodes.describe(admin, TOPIC);
            leaderless = (int)
                    topic.partitions().stream().filter(p -> p.leader() == null).count();
            for (TopicPartitionInfo p : topic.partitions()) {
                assertThat(p.replicas()).hasSize(1);
                if (p.replicas().get(0).id() == 3) {
                    assertThat(p.leader())
                            .as("leader of %s while its only replica is away", p)
                            .isNull();
                } else {
                    assertThat(p.leader().id()).isEqualTo(p.replicas().get(0).id());
                }
            }
        }
        // The golden signals: one active controller, which counts the partitions left without a leader
        assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(200), () -> {
                    double controllers = 0;
                    double offline = 0;
                    for (BrokerProcess node : List.of(nodes.get(0), nodes.get(1))) {
                        MetricsScrape scrape = scrape(node);
                        controllers += scrape.valueOrZero("kafka_controller_kafkacontroller_activecontrollercount");
                        offline += scrape.valueOrZero("kafka_controller_kafkacontroller_offlinepartitionscount");
                    }
                    return controllers == 1 && offline >= leaderless;
                }))
                .as("one active controller, counting the %d partitions without a leader", leaderless)
                .isTrue();
        Set<Integer> servingPartitions = partitionsLedBy(bootstrap, Set.of(1, 2));
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            for (int partition : servingPartitions) {
                RecordMetadata acked = producer.send(new ProducerRecord<>(TOPIC, partition, "while-away", "x"))
                        .get(30, TimeUnit.SECONDS);
                assertThat(acked.partition()).isEqualTo(partition);
            }
        }

        away.restartAsync();
        away.awaitStarted();
        try (Admin admin = Clients.admin(bootstrap)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> liveBrokerIds(admin).equals(Set.of(1, 2, 3))
                                    && ThreeNodes.describe(admin, TOPIC).partitions().stream()
                                            .allMatch(p -> p.leader() != null)))
                    .as("node 3 back and leading its partitions again")
                    .isTrue();
        }
        Map<Integer, String> reread = consume(nodes.get(2).bootstrapServers(), "cluster-group-2", RECORDS);
        assertThat(reread).as("every record, read from all three nodes again").isEqualTo(written);

        // A node killed: the quorum's leader fences it once it has been silent for broker.session.timeout.ms, the
        // others serve on, and it comes back with every record it had acknowledged (its logs recovered).
        BrokerProcess killed = nodes.get(1);
        killed.kill9();
        try (Admin admin = Clients.admin(bootstrap)) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> liveBrokerIds(admin).equals(Set.of(1, 3))))
                    .as("the killed node fenced")
                    .isTrue();
        }
        Map<Integer, String> moreWritten = new HashMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            for (int partition : partitionsLedBy(bootstrap, Set.of(1, 3))) {
                String key = Integer.toString(RECORDS + partition);
                producer.send(new ProducerRecord<>(TOPIC, partition, key, "after-kill"))
                        .get(30, TimeUnit.SECONDS);
                moreWritten.put(RECORDS + partition, "after-kill");
            }
        }
        assertThat(moreWritten).as("partitions still led while node 2 is down").isNotEmpty();
        killed.restartAsync();
        killed.awaitStarted();
        Map<Integer, String> all = new HashMap<>(written);
        all.putAll(moreWritten);
        Map<Integer, String> afterKill = consume(bootstrap, "cluster-group-3", all.size());
        assertThat(afterKill)
                .as("every acknowledged record after a kill -9 and restart")
                .isEqualTo(all);
    }

    private static final int TRANSACTIONAL_RECORDS = 60;

    private static Errors listOffsetsError(int port, int partition) throws IOException {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
        request.topics()
                .add(new ListOffsetsTopic()
                        .setName(TOPIC)
                        .setPartitions(List.of(new ListOffsetsPartition()
                                .setPartitionIndex(partition)
                                .setTimestamp(-1))));
        try (RawClient client = RawClient.open(port)) {
            ListOffsetsResponseData answer = client.call(ApiKeys.LIST_OFFSETS, (short) 7, request);
            return Errors.forCode(answer.topics().get(0).partitions().get(0).errorCode());
        }
    }

    /** The node's metrics endpoint, found in its log. */
    private static MetricsScrape scrape(BrokerProcess node) {
        return ThreeNodes.scrape(node);
    }

    private static Set<String> topicNames(Admin admin) {
        try {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Set.of("(unknown)");
        }
    }

    private static int partitionCount(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .size();
        } catch (Exception e) {
            throw new AssertionError("describe " + topic, e);
        }
    }

    private static int leaderOf(Admin admin, String topic, int partition) {
        try {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .get(partition)
                    .leader()
                    .id();
        } catch (Exception e) {
            throw new AssertionError("describe " + topic, e);
        }
    }

    /** A group id whose offsets partition another node than {@code node} leads. */
    private static String groupCoordinatedElsewhere(Admin admin, int node) {
        int count = partitionCount(admin, "__consumer_offsets");
        for (int i = 0; i < 1000; i++) {
            String group = "cluster-eos-" + i;
            if (leaderOf(admin, "__consumer_offsets", Utils.abs(group.hashCode()) % count) != node) {
                return group;
            }
        }
        throw new AssertionError("every group's coordinator is node " + node);
    }

    private static long committedOffset(Admin admin, String group, TopicPartition tp) {
        try {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS)
                    .get(tp);
            return committed == null ? -1 : committed.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    /** One transaction of records keyed {@code txn-<outcome>-<n>} spread over every partition, ended as asked. */
    private static void transact(String bootstrap, String outcome, boolean commit) throws Exception {
        try (KafkaProducer<String, String> producer =
                Clients.producer(bootstrap, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cluster-txn-" + outcome))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < TRANSACTIONAL_RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "txn-" + outcome + "-" + i, outcome));
            }
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
        }
    }

    private static Set<String> expectedTransactional(String outcome) {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < TRANSACTIONAL_RECORDS; i++) {
            keys.add("txn-" + outcome + "-" + i);
        }
        return keys;
    }

    /**
     * The transactional keys a read_committed consumer reads up to the end of every partition: the end offsets
     * are reached only once every marker is written (a partition's last stable offset waits for its marker).
     */
    private static Set<String> readCommittedTransactional(String bootstrap, int expected) {
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(bootstrap, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Bounded.Deadline deadline = Bounded.Deadline.in(SETTLE);
            while (keys.size() < expected && !deadline.passed()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().startsWith("txn-")) {
                        keys.add(record.key());
                    }
                }
            }
            // and nothing after: an aborted record would show up behind the committed ones
            for (int i = 0; i < 5; i++) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().startsWith("txn-")) {
                        keys.add(record.key());
                    }
                }
            }
        }
        return keys;
    }

    private List<BrokerProcess> startCluster(Path dir) throws IOException {
        return ThreeNodes.start(brokers, dir, Map.of());
    }

    private static Set<Integer> liveBrokerIds(Admin admin) {
        return ThreeNodes.liveBrokerIds(admin);
    }

    private static Set<Integer> partitionsLedBy(String bootstrap, Set<Integer> nodeIds) {
        try (Admin admin = Clients.admin(bootstrap)) {
            Set<Integer> led = new HashSet<>();
            for (TopicPartitionInfo p : ThreeNodes.describe(admin, TOPIC).partitions()) {
                if (p.leader() != null && nodeIds.contains(p.leader().id())) {
                    led.add(p.partition());
                }
            }
            return led;
        }
    }

    /** Sends records {@code from}..{@code from + count - 1} keyed by their number; returns number -> value acked. */
    private static Map<Integer, String> produce(String bootstrap, int from, int count) throws Exception {
        Map<Integer, String> acked = new HashMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(TOPIC, Integer.toString(i), "value-" + i))
                        .get(30, TimeUnit.SECONDS);
                acked.put(i, "value-" + i);
            }
        }
        return acked;
    }

    /** Reads the topic from the start in a group until {@code expected} numbered records came; commits them. */
    private static Map<Integer, String> consume(String bootstrap, String group, int expected) {
        Map<Integer, String> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(
                bootstrap,
                Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG,
                        group,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false))) {
            consumer.subscribe(List.of(TOPIC));
            Bounded.Deadline deadline = Bounded.Deadline.in(SETTLE);
            while (read.size() < expected && !deadline.passed()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!record.key().equals("while-away") && !record.key().startsWith("txn")) {
                        String previous = read.put(Integer.parseInt(record.key()), record.value());
                        assertThat(previous)
                                .as("record %s read twice", record.key())
                                .isNull();
                    }
                }
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        return read;
    }
}
