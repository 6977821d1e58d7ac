package io.piste.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.Exec;
import io.piste.it.support.Kcat;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients cannot write to {@code __consumer_offsets}: kcat and the Java producer get INVALID_TOPIC_EXCEPTION, as
 * from Kafka, and the broker, restarted afterwards, starts and still has the group's committed offset. Before this
 * was refused, one kcat command left a record the offsets load could not decode, and the broker no longer started.
 * Nor does a client's Metadata request create an internal topic as an ordinary one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InternalTopicProduceIT {
    private static final String GROUP = "internal-keeper";
    private static final long COMMITTED = 42;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private BrokerProcess broker;
    private TopicPartition committedPartition;

    @BeforeEach
    void startBrokerAndCommit(final TestInfo info) throws Exception {
        final String name = "internal-" + info.getTestMethod().orElseThrow().getName();
        final Path dir = TestDirs.create(name);
        broker = brokers.start(
                name,
                dir.resolve("logs"),
                dir,
                Map.of("group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions", "3"));
        final String topic = "internal-data";
        Clients.createTopic(broker.bootstrapServers(), topic, 1);
        committedPartition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers(), group())) {
            // The first commit creates __consumer_offsets, so the producers below find it.
            consumer.commitSync(Map.of(committedPartition, new OffsetAndMetadata(COMMITTED)));
        }
    }

    @Test
    void shouldRefuseKcatProduceToTheOffsetsTopicAndStillRestart() {
        final Exec.Result result = Kcat.on(broker::bootstrapServers)
                .run(List.of("-P", "-t", Topic.GROUP_METADATA_TOPIC_NAME, "-p", "0", "-K:"), "x:y\n");

        assertThat(result.exitCode())
                .as("kcat's exit code; stderr: %s", result.stderr())
                .isNotZero();
        assertThat(result.stderr()).contains("Broker: Invalid topic");
        assertThat(broker.isAlive()).isTrue();
        assertRestartsWithTheCommittedOffset();
    }

    @Test
    void shouldFailTheJavaProducerWithInvalidTopicAndStillRestart() throws Exception {
        try (KafkaProducer<String, String> producer =
                Clients.producer(broker.bootstrapServers(), Clients.props(ProducerConfig.RETRIES_CONFIG, 0))) {
            final Throwable thrown = catchThrowable(
                    () -> producer.send(new ProducerRecord<>(Topic.GROUP_METADATA_TOPIC_NAME, 0, "x", "y"))
                            .get(30, TimeUnit.SECONDS));

            assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidTopicException.class);
        }
        assertThat(broker.isAlive()).isTrue();
        assertRestartsWithTheCommittedOffset();
    }

    @Test
    void shouldNotAutoCreateAnInternalTopicForAClientsMetadataRequest() throws Exception {
        // The consumer's Metadata request allows auto-creation (allow.auto.create.topics defaults to true).
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers());
                Admin admin = Clients.admin(broker.bootstrapServers())) {
            assertThat(consumer.partitionsFor(Topic.TRANSACTION_STATE_TOPIC_NAME))
                    .isEmpty();

            assertThat(admin.listTopics(new ListTopicsOptions().listInternal(true))
                            .names()
                            .get(30, TimeUnit.SECONDS))
                    .contains(Topic.GROUP_METADATA_TOPIC_NAME)
                    .doesNotContain(Topic.TRANSACTION_STATE_TOPIC_NAME);
        }
    }

    private void assertRestartsWithTheCommittedOffset() {
        broker.stop();
        broker.restart();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers(), group())) {
            assertThat(consumer.committed(Set.of(committedPartition))
                            .get(committedPartition)
                            .offset())
                    .as("the committed offset after the restart")
                    .isEqualTo(COMMITTED);
        }
    }

    private static Map<String, Object> group() {
        return Clients.props(ConsumerConfig.GROUP_ID_CONFIG, GROUP, ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    }
}
