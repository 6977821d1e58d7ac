package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java Admin client against one broker: topics, partitions, configs, the cluster and offsets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminIT {
    private static final long WAIT_S = 30;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides("num.partitions", "2");

    private static Admin admin;

    @BeforeAll
    static void createAdmin() {
        admin = Clients.admin(BROKER.bootstrapServers());
    }

    @AfterAll
    static void closeAdmin() {
        admin.close(Duration.ofSeconds(10));
    }

    @Test
    void shouldCreateTopicWithPartitionsAndConfigs() throws Exception {
        final NewTopic topic = new NewTopic("created", 4, (short) 1).configs(Map.of("retention.ms", "3600000"));

        admin.createTopics(List.of(topic)).all().get(WAIT_S, TimeUnit.SECONDS);

        final TopicDescription description = describe("created");
        assertThat(description.partitions()).hasSize(4);
        assertThat(topicConfig("created").get("retention.ms").value()).isEqualTo("3600000");
    }

    @Test
    void shouldReportPartitionCountAndConfigsOfCreatedTopic() throws Exception {
        final var result = admin.createTopics(List.of(new NewTopic("created-result", 3, (short) 1)));

        assertThat(result.numPartitions("created-result").get(WAIT_S, TimeUnit.SECONDS))
                .isEqualTo(3);
        assertThat(result.replicationFactor("created-result").get(WAIT_S, TimeUnit.SECONDS))
                .isEqualTo(1);
        assertThat(result.topicId("created-result").get(WAIT_S, TimeUnit.SECONDS))
                .isNotEqualTo(Uuid.ZERO_UUID);
    }

    @Test
    void shouldUseBrokerDefaultPartitionCount() throws Exception {
        admin.createTopics(List.of(new NewTopic("default-partitions", Optional.empty(), Optional.empty())))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS);

        assertThat(describe("default-partitions").partitions())
                .as("partitions with num.partitions=2")
                .hasSize(2);
    }

    @Test
    void shouldCreateNothingWhenValidateOnly() throws Exception {
        admin.createTopics(
                        List.of(new NewTopic("validate-only", 1, (short) 1)),
                        new CreateTopicsOptions().validateOnly(true))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS);

        assertThat(listTopics()).doesNotContain("validate-only");
    }

    @Test
    void shouldRejectExistingTopic() throws Exception {
        admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all().get(WAIT_S, TimeUnit.SECONDS);

        final Throwable error = cause(admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1)))
                .all());

        assertThat(error).isInstanceOf(TopicExistsException.class);
    }

    @Test
    void shouldRejectInvalidTopicName() throws Exception {
        final Throwable error = cause(admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1)))
                .all());

        assertThat(error).isInstanceOf(InvalidTopicException.class);
        assertThat(listTopics()).doesNotContain("bad/name");
    }

    @Test
    void shouldRejectReplicationFactorAboveBrokerCount() throws Exception {
        final Throwable error = cause(
                admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all());

        assertThat(error).isInstanceOf(InvalidReplicationFactorException.class);
        assertThat(listTopics()).doesNotContain("rf3");
    }

    @Test
    void shouldListTopics() throws Exception {
        createTopic("listed-a", 1);
        createTopic("listed-b", 1);

        assertThat(listTopics()).contains("listed-a", "listed-b");
    }

    @Test
    void shouldDescribeTopicWithLeaderAndTopicId() throws Exception {
        createTopic("described", 3);

        final TopicDescription description = describe("described");

        assertThat(description.name()).isEqualTo("described");
        assertThat(description.isInternal()).isFalse();
        assertThat(description.topicId()).isNotNull().isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(description.partitions())
                .extracting(TopicPartitionInfo::partition)
                .containsExactly(0, 1, 2);
        for (final TopicPartitionInfo partition : description.partitions()) {
            assertThat(partition.leader())
                    .as("leader of partition %d", partition.partition())
                    .isNotNull();
            assertThat(partition.leader().id()).isEqualTo(1);
            assertThat(partition.replicas()).extracting(Node::id).containsExactly(1);
            assertThat(partition.isr()).extracting(Node::id).containsExactly(1);
        }
    }

    @Test
    void shouldDescribeTopicConfigsWithDefaultsAndOverrides() throws Exception {
        admin.createTopics(List.of(new NewTopic("configs", 1, (short) 1)
                        .configs(Map.of("retention.ms", "123456", "cleanup.policy", "compact"))))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS);

        final Config config = topicConfig("configs");

        assertThat(config.get("retention.ms")).isNotNull();
        assertThat(config.get("retention.ms").value()).isEqualTo("123456");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        final ConfigEntry segmentBytes = config.get("segment.bytes");
        assertThat(segmentBytes).as("segment.bytes, a default").isNotNull();
        assertThat(segmentBytes.value()).isEqualTo(Integer.toString(1024 * 1024 * 1024));
        assertThat(segmentBytes.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(segmentBytes.isDefault()).isTrue();
        assertThat(config.get("max.message.bytes"))
                .as("max.message.bytes, a default")
                .isNotNull();
    }

    @Test
    void shouldDescribeBrokerConfigs() throws Exception {
        final ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");

        final Config config = admin.describeConfigs(List.of(broker))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS)
                .get(broker);

        assertThat(config.entries()).isNotEmpty();
        final ConfigEntry numPartitions = config.get("num.partitions");
        assertThat(numPartitions).as("num.partitions").isNotNull();
        assertThat(numPartitions.value()).isEqualTo("2");
        assertThat(numPartitions.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(config.get("log.dirs")).as("log.dirs").isNotNull();
    }

    @Test
    void shouldSetAndDeleteTopicConfigIncrementally() throws Exception {
        createTopic("incremental", 1);
        final ConfigResource resource = topicResource("incremental");
        final String defaultRetention =
                topicConfig("incremental").get("retention.ms").value();

        alter(resource, new AlterConfigOp(new ConfigEntry("retention.ms", "5000"), AlterConfigOp.OpType.SET));

        final ConfigEntry set = topicConfig("incremental").get("retention.ms");
        assertThat(set.value()).isEqualTo("5000");
        assertThat(set.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        alter(resource, new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE));

        final ConfigEntry deleted = topicConfig("incremental").get("retention.ms");
        assertThat(deleted.value()).isEqualTo(defaultRetention).isEqualTo("604800000");
        assertThat(deleted.source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    @Test
    void shouldRejectInvalidConfigValue() throws Exception {
        createTopic("invalid-value", 1);

        final Throwable error = cause(admin.incrementalAlterConfigs(Map.of(
                        topicResource("invalid-value"),
                        List.of(new AlterConfigOp(
                                new ConfigEntry("retention.ms", "not-a-number"), AlterConfigOp.OpType.SET))))
                .all());

        assertThat(error).isInstanceOf(InvalidConfigurationException.class);
        assertThat(topicConfig("invalid-value").get("retention.ms").value()).isEqualTo("604800000");
    }

    @Test
    void shouldRejectUnknownConfigName() throws Exception {
        createTopic("unknown-config", 1);

        final Throwable error = cause(admin.incrementalAlterConfigs(Map.of(
                        topicResource("unknown-config"),
                        List.of(new AlterConfigOp(new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET))))
                .all());

        assertThat(error).isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void shouldRejectUnknownConfigAtCreate() throws Exception {
        final Throwable error = cause(admin.createTopics(List.of(
                        new NewTopic("create-unknown-config", 1, (short) 1).configs(Map.of("no.such.config", "1"))))
                .all());

        assertThat(error).isInstanceOf(InvalidConfigurationException.class);
        assertThat(listTopics()).doesNotContain("create-unknown-config");
    }

    @Test
    void shouldAppendAndSubtractListConfig() throws Exception {
        createTopic("list-config", 1);
        final ConfigResource resource = topicResource("list-config");

        alter(resource, new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND));

        assertThat(topicConfig("list-config").get("cleanup.policy").value()).isEqualTo("delete,compact");

        alter(resource, new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT));

        assertThat(topicConfig("list-config").get("cleanup.policy").value()).isEqualTo("compact");
    }

    @Test
    void shouldApplyTopicMaxMessageBytes() throws Exception {
        admin.createTopics(List.of(
                        new NewTopic("small-messages", 1, (short) 1).configs(Map.of("max.message.bytes", "20000"))))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS);

        try (KafkaProducer<String, String> producer =
                Clients.producer(BROKER.bootstrapServers(), Clients.props("compression.type", "none"))) {
            assertThat(producer.send(new ProducerRecord<>("small-messages", 0, "k", "x".repeat(10_000)))
                            .get(WAIT_S, TimeUnit.SECONDS)
                            .offset())
                    .isZero();
            final Throwable error = catchThrowable(
                    () -> producer.send(new ProducerRecord<>("small-messages", 0, "k", "y".repeat(30_000)))
                            .get(WAIT_S, TimeUnit.SECONDS));
            assertThat(error).isInstanceOf(ExecutionException.class);
            assertThat(error.getCause()).isInstanceOf(RecordTooLargeException.class);
        }
    }

    @Test
    void shouldGrowPartitionsAndProduceToNewOne() throws Exception {
        createTopic("grow", 1);

        admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(3)))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS);

        assertThat(describe("grow").partitions()).hasSize(3);
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            final RecordMetadata ack = producer.send(new ProducerRecord<>("grow", 2, "k", "in partition 2"))
                    .get(WAIT_S, TimeUnit.SECONDS);
            assertThat(ack.partition()).isEqualTo(2);
            assertThat(ack.offset()).isZero();
        }
        final List<ConsumerRecord<String, String>> records =
                Consume.allOf(BROKER.bootstrapServers(), "grow", Duration.ofSeconds(WAIT_S));
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("in partition 2");
    }

    /**
     * A client's __consumer_offsets with cleanup.policy=delete would delete committed offsets; Kafka refuses only
     * __cluster_metadata, Piste refuses its internal topics too.
     */
    @Test
    void shouldRefuseCreatingAnInternalTopic() throws Exception {
        final NewTopic offsets = new NewTopic("__consumer_offsets", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "delete", "retention.ms", "1000"));

        final Throwable error = cause(admin.createTopics(List.of(offsets)).all());
        final Throwable metadata = cause(admin.createTopics(List.of(new NewTopic("__cluster_metadata", 1, (short) 1)))
                .all());

        assertThat(error).isInstanceOf(InvalidRequestException.class).hasMessageContaining("internal topic");
        assertThat(metadata)
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Creation of internal topic __cluster_metadata is prohibited.");
        assertThat(admin.listTopics(new ListTopicsOptions().listInternal(true))
                        .names()
                        .get(WAIT_S, TimeUnit.SECONDS))
                .doesNotContain("__cluster_metadata");
    }

    /** More partitions would move groups (hash of the id modulo the count) away from their committed offsets. */
    @Test
    void shouldRefuseGrowingTheOffsetsTopic() throws Exception {
        createTopic("committed", 1);
        admin.alterConsumerGroupOffsets(
                        "grow-offsets", Map.of(new TopicPartition("committed", 0), new OffsetAndMetadata(1)))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS);
        final int partitions = describe("__consumer_offsets").partitions().size();

        final Throwable error =
                cause(admin.createPartitions(Map.of("__consumer_offsets", NewPartitions.increaseTo(partitions + 1)))
                        .all());

        assertThat(error).isInstanceOf(InvalidRequestException.class).hasMessageContaining("internal topic");
        assertThat(describe("__consumer_offsets").partitions()).hasSize(partitions);
    }

    @Test
    void shouldRejectShrinkingPartitions() throws Exception {
        createTopic("shrink", 3);

        final Throwable error = cause(admin.createPartitions(Map.of("shrink", NewPartitions.increaseTo(2)))
                .all());

        assertThat(error).isInstanceOf(InvalidPartitionsException.class);
        assertThat(describe("shrink").partitions()).hasSize(3);
    }

    @Test
    void shouldDeleteTopicAndRecreateFromOffsetZero() throws Exception {
        createTopic("deleted", 1);
        final Uuid firstId = describe("deleted").topicId();
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("deleted", 0, "k", "old-" + i))
                        .get(WAIT_S, TimeUnit.SECONDS);
            }
        }

        admin.deleteTopics(List.of("deleted")).all().get(WAIT_S, TimeUnit.SECONDS);

        assertThat(Bounded.waitFor(
                        Duration.ofSeconds(20),
                        Duration.ofMillis(200),
                        () -> !listTopicsUnchecked().contains("deleted")))
                .as("topic gone from listTopics")
                .isTrue();
        assertThat(cause(admin.describeTopics(List.of("deleted")).allTopicNames()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);

        createTopic("deleted", 1);
        assertThat(describe("deleted").topicId())
                .as("topic id of the new topic")
                .isNotEqualTo(firstId);
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            assertThat(producer.send(new ProducerRecord<>("deleted", 0, "k", "new-0"))
                            .get(WAIT_S, TimeUnit.SECONDS)
                            .offset())
                    .isZero();
        }
        assertThat(Consume.allOf(BROKER.bootstrapServers(), "deleted", Duration.ofSeconds(WAIT_S)))
                .extracting(ConsumerRecord::value)
                .containsExactly("new-0");
    }

    @Test
    void shouldRejectDeletingUnknownTopic() {
        assertThat(cause(admin.deleteTopics(List.of("never-created")).all()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void shouldDescribeClusterOfOneNode() throws Exception {
        final DescribeClusterResult cluster = admin.describeCluster();

        final Collection<Node> nodes = cluster.nodes().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(nodes).hasSize(1);
        final Node node = nodes.iterator().next();
        assertThat(node.id()).isEqualTo(1);
        assertThat(node.host()).isEqualTo("127.0.0.1");
        assertThat(node.port()).isEqualTo(BROKER.broker().port());
        assertThat(cluster.controller().get(WAIT_S, TimeUnit.SECONDS))
                .as("controller")
                .isNotNull();
        assertThat(cluster.clusterId().get(WAIT_S, TimeUnit.SECONDS))
                .as("cluster id")
                .isNotBlank();
    }

    @Test
    void shouldDescribeTheMetadataQuorumOfOneNode() throws Exception {
        final QuorumInfo before = admin.describeMetadataQuorum().quorumInfo().get(WAIT_S, TimeUnit.SECONDS);
        admin.createTopics(List.of(new NewTopic("quorum-described", 1, (short) 1)))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS);
        final QuorumInfo after = admin.describeMetadataQuorum().quorumInfo().get(WAIT_S, TimeUnit.SECONDS);

        assertThat(after.leaderId()).isEqualTo(1);
        assertThat(after.leaderEpoch()).isPositive();
        assertThat(after.highWatermark()).isGreaterThan(before.highWatermark());
        assertThat(after.voters()).singleElement().satisfies(voter -> {
            assertThat(voter.replicaId()).isEqualTo(1);
            assertThat(voter.logEndOffset()).isEqualTo(after.highWatermark());
        });
        assertThat(after.observers()).isEmpty();
        assertThat(after.nodes()).containsKey(1);
        assertThat(after.nodes().get(1).endpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.host()).isEqualTo("127.0.0.1");
            assertThat(endpoint.port()).isEqualTo(BROKER.broker().port());
        });
    }

    @Test
    void shouldListOffsetsEarliestLatestByTimestampAndMaxTimestamp() throws Exception {
        createTopic("list-offsets", 1);
        final TopicPartition tp = new TopicPartition("list-offsets", 0);
        final long base = (System.currentTimeMillis() - 3_600_000L) / 1000 * 1000;
        // Timestamps out of order on purpose: the max timestamp is at offset 2, not at the end.
        final long[] timestamps = {base, base + 1000, base + 9000, base + 3000, base + 4000};
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            for (int i = 0; i < timestamps.length; i++) {
                producer.send(new ProducerRecord<>("list-offsets", 0, timestamps[i], "k", "v" + i))
                        .get(WAIT_S, TimeUnit.SECONDS);
            }
        }

        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isEqualTo(5);
        final ListOffsetsResultInfo byTime = listOffset(tp, OffsetSpec.forTimestamp(base + 2500));
        assertThat(byTime.offset())
                .as("first offset with timestamp >= base+2500")
                .isEqualTo(2);
        assertThat(byTime.timestamp()).isEqualTo(base + 9000);
        final ListOffsetsResultInfo max = listOffset(tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).as("offset of the max timestamp").isEqualTo(2);
        assertThat(max.timestamp()).isEqualTo(base + 9000);
        assertThat(listOffset(tp, OffsetSpec.forTimestamp(base + 10_000)).offset())
                .as("no record at or after the timestamp")
                .isEqualTo(-1);
    }

    private static ListOffsetsResultInfo listOffset(final TopicPartition tp, final OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get(WAIT_S, TimeUnit.SECONDS);
    }

    private static void createTopic(final String name, final int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS);
    }

    private static TopicDescription describe(final String topic) throws Exception {
        return admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get(WAIT_S, TimeUnit.SECONDS)
                .get(topic);
    }

    private static Set<String> listTopics() throws Exception {
        return admin.listTopics().names().get(WAIT_S, TimeUnit.SECONDS);
    }

    private static Set<String> listTopicsUnchecked() {
        try {
            return listTopics();
        } catch (final Exception e) {
            throw new AssertionError("listTopics failed", e);
        }
    }

    private static ConfigResource topicResource(final String topic) {
        return new ConfigResource(ConfigResource.Type.TOPIC, topic);
    }

    private static Config topicConfig(final String topic) throws Exception {
        final ConfigResource resource = topicResource(topic);
        return admin.describeConfigs(List.of(resource))
                .all()
                .get(WAIT_S, TimeUnit.SECONDS)
                .get(resource);
    }

    private static void alter(final ConfigResource resource, final AlterConfigOp op) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get(WAIT_S, TimeUnit.SECONDS);
    }

    /** The cause a future failed with; an AssertionError if it succeeded or did not finish. */
    private static Throwable cause(final KafkaFuture<?> future) {
        final Throwable thrown = catchThrowable(() -> future.get(WAIT_S, TimeUnit.SECONDS));
        assertThat(thrown).as("the admin call should have failed").isInstanceOf(ExecutionException.class);
        return thrown.getCause();
    }
}
