package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Exec;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.Produce;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention and DeleteRecords through real clients and Kafka's own tools: a retention changed at runtime (Admin,
 * {@code kafka-configs}) deletes old segments within a check interval, consumers at an old offset reset per
 * {@code auto.offset.reset}, the records kept are exactly those written, and {@code kafka-delete-records} and
 * {@code Admin.deleteRecords} move the log start offset as Kafka does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetentionIT {
    private static final long HOUR_MS = 3600_000L;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides("log.retention.check.interval.ms", "200");

    private static final KafkaTool CONFIGS = KafkaTool.configCommand(BROKER::bootstrapServers);
    private static final KafkaTool DELETE_RECORDS = KafkaTool.deleteRecordsCommand(BROKER::bootstrapServers);

    @TempDir
    Path tmp;

    /** A topic of one partition with 2 KiB segments (Piste's and Kafka's internal config for tests). */
    private static void createTopic(Admin admin, String topic, Map<String, String> configs) throws Exception {
        Map<String, String> all = new HashMap<>(configs);
        all.put("internal.segment.bytes", "2048");
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(all)))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    /** Records {@code v<i>} at offset i for i in [from, to), stamped {@code timestampMs}, one batch each. */
    private static void produce(String topic, int from, int to, long timestampMs) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(topic, 0, timestampMs, "k" + i, "v" + i));
        }
        try (KafkaProducer<String, String> producer =
                Clients.producer(BROKER.bootstrapServers(), Clients.props(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            for (ProducerRecord<String, String> r : records) {
                Produce.acked(producer, List.of(r));
            }
        }
    }

    private static long earliest(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest()))
                .partitionResult(tp)
                .get(30, TimeUnit.SECONDS)
                .offset();
    }

    private static long awaitLogStartAbove(Admin admin, TopicPartition tp, long above) {
        return Bounded.call("log start offset of " + tp + " above " + above, WAIT, () -> {
            while (true) {
                long start = earliest(admin, tp);
                if (start > above) {
                    return start;
                }
                Bounded.sleep(Duration.ofMillis(100));
            }
        });
    }

    /** Every record from the log start to the end: offset i must hold v<i>. */
    private static void assertKeptExactly(TopicPartition tp, long logStart, long logEnd) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers())) {
            List<ConsumerRecord<String, String>> kept = Consume.toEnd(consumer, List.of(tp), WAIT);
            assertThat(kept).hasSize((int) (logEnd - logStart));
            for (int i = 0; i < kept.size(); i++) {
                assertThat(kept.get(i).offset()).isEqualTo(logStart + i);
                assertThat(kept.get(i).value()).isEqualTo("v" + (logStart + i));
            }
        }
    }

    @Test
    void shouldDeleteExpiredSegmentsOnceRetentionMsIsLoweredAndResetConsumersAtOldOffsets() throws Exception {
        String topic = "ret-time";
        TopicPartition tp = new TopicPartition(topic, 0);
        long now = System.currentTimeMillis();
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            createTopic(admin, topic, Map.of());
            produce(topic, 0, 150, now - 2 * HOUR_MS);
            produce(topic, 150, 200, now);
            try (KafkaConsumer<String, String> group = Clients.consumer(
                    BROKER.bootstrapServers(),
                    Clients.props(
                            ConsumerConfig.GROUP_ID_CONFIG,
                            "ret-group",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                            "earliest"))) {
                group.commitSync(Map.of(tp, new OffsetAndMetadata(5)));
            }
            assertThat(earliest(admin, tp)).isZero();

            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, topic),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("retention.ms", Long.toString(HOUR_MS)),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            long logStart = awaitLogStartAbove(admin, tp, 0);

            // Whole segments only: the fresh records and the expired head of their first segment stay.
            assertThat(logStart).isLessThanOrEqualTo(150);
            Bounded.sleep(Duration.ofMillis(600)); // more passes change nothing
            assertThat(earliest(admin, tp)).isEqualTo(logStart);
            assertKeptExactly(tp, logStart, 200);

            // A group whose committed offset went resets to the new log start ("earliest").
            try (KafkaConsumer<String, String> group = Clients.consumer(
                    BROKER.bootstrapServers(),
                    Clients.props(
                            ConsumerConfig.GROUP_ID_CONFIG,
                            "ret-group",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                            "earliest"))) {
                group.assign(List.of(tp));
                List<ConsumerRecord<String, String>> first = Consume.atLeast(group, 1);
                assertThat(first.get(0).offset()).isEqualTo(logStart);
            }
            // "none": the consumer is told.
            try (KafkaConsumer<String, String> strict = Clients.consumer(
                    BROKER.bootstrapServers(), Clients.props(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
                strict.assign(List.of(tp));
                strict.seek(tp, 5);
                assertThatThrownBy(() -> {
                            for (int i = 0; i < 100; i++) {
                                strict.poll(Duration.ofMillis(200));
                            }
                        })
                        .isInstanceOf(OffsetOutOfRangeException.class);
            }
        }
    }

    @Test
    void shouldApplyRetentionBytesSetWithKafkaConfigsAndRefuseInvalidValues() throws Exception {
        String topic = "ret-bytes";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            createTopic(admin, topic, Map.of());
            produce(topic, 0, 200, System.currentTimeMillis());

            CONFIGS.run(
                            "--alter",
                            "--entity-type",
                            "topics",
                            "--entity-name",
                            topic,
                            "--add-config",
                            "retention.bytes=4096")
                    .assertSuccess();
            long logStart = awaitLogStartAbove(admin, tp, 0);

            assertThat(CONFIGS.run("--describe", "--entity-type", "topics", "--entity-name", topic)
                            .assertSuccess()
                            .stdout())
                    .contains("retention.bytes=4096");
            Bounded.sleep(Duration.ofMillis(600));
            assertThat(earliest(admin, tp)).isEqualTo(logStart);
            // Kafka's rule keeps at least retention.bytes: 4 KiB of ~100-byte batches is more than 30 records.
            assertThat(200 - logStart).isGreaterThan(30);
            assertKeptExactly(tp, logStart, 200);

            Exec.Result refused = CONFIGS.run(
                    "--alter", "--entity-type", "topics", "--entity-name", topic, "--add-config", "retention.ms=-2");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.stdout() + refused.stderr()).contains("retention.ms");
            assertThatThrownBy(() -> createTopic(admin, "ret-bad", Map.of("cleanup.policy", "shred")))
                    .hasCauseInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("cleanup.policy");
        }
    }

    @Test
    void shouldMoveTheLogStartOffsetWithKafkaDeleteRecordsAndAdminDeleteRecords() throws Exception {
        String topic = "ret-delete";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            createTopic(admin, topic, Map.of("retention.ms", "-1"));
            produce(topic, 0, 100, System.currentTimeMillis());

            Path json = tmp.resolve("offsets.json");
            Files.writeString(
                    json,
                    "{\"partitions\":[{\"topic\":\"" + topic + "\",\"partition\":0,\"offset\":30}],\"version\":1}");
            Exec.Result tool =
                    DELETE_RECORDS.run("--offset-json-file", json.toString()).assertSuccess();
            assertThat(tool.stdout()).contains(topic + "-0").contains("low_watermark: 30");
            assertThat(earliest(admin, tp)).isEqualTo(30);
            assertKeptExactly(tp, 30, 100);

            long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(64)))
                    .lowWatermarks()
                    .get(tp)
                    .get(30, TimeUnit.SECONDS)
                    .lowWatermark();
            assertThat(low).isEqualTo(64);
            assertThat(earliest(admin, tp)).isEqualTo(64);
            assertKeptExactly(tp, 64, 100);

            ExecutionException beyond = deleteFails(admin, tp, 101);
            assertThat(beyond).hasCauseInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class);
            assertThat(earliest(admin, tp)).isEqualTo(64);
            long toEnd = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1)))
                    .lowWatermarks()
                    .get(tp)
                    .get(30, TimeUnit.SECONDS)
                    .lowWatermark();
            assertThat(toEnd).as("-1: the high watermark").isEqualTo(100);

            createTopic(admin, "ret-compacted", Map.of("cleanup.policy", "compact"));
            produce("ret-compacted", 0, 5, System.currentTimeMillis());
            assertThat(deleteFails(admin, new TopicPartition("ret-compacted", 0), 2))
                    .hasCauseInstanceOf(PolicyViolationException.class);
            try (KafkaConsumer<String, String> group = Clients.consumer(
                    BROKER.bootstrapServers(), Clients.props(ConsumerConfig.GROUP_ID_CONFIG, "ret-internal"))) {
                group.commitSync(Map.of(tp, new OffsetAndMetadata(70)));
            }
            assertThat(deleteFails(admin, new TopicPartition("__consumer_offsets", 0), 0))
                    .hasCauseInstanceOf(InvalidTopicException.class);
        }
    }

    private static ExecutionException deleteFails(Admin admin, TopicPartition tp, long offset) {
        try {
            admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(offset)))
                    .lowWatermarks()
                    .get(tp)
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("deleteRecords(" + tp + ", " + offset + ") succeeded");
    }
}
