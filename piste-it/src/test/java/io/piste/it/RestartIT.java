package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Produce;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A clean shutdown and a start on the same log dir keep every record at its offset, and producing goes on
 * where it stopped, also for an idempotent producer that kept running while the broker was down.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RestartIT {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final int PARTITIONS = 3;

    private Path dir;
    private TestBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        dir = TestDirs.create("restart");
        broker = TestBroker.start(dir, Map.of("log.segment.bytes", Integer.toString(1024 * 1024)));
    }

    @AfterEach
    void stopBroker() {
        broker.close();
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldKeepRecordsOffsetsAndEndOffsetsAcrossCleanRestart() throws Exception {
        final String topic = "kept";
        Clients.createTopic(broker.bootstrapServers(), topic, PARTITIONS);
        final List<TopicPartition> tps = partitions(topic);
        // ~4.5 MB over 3 partitions of 1 MiB segments: each partition has several segments.
        produce(topic, 0, 3_000, 1_500);
        final List<ConsumerRecord<String, String>> recordsBefore = readAll(topic);
        final List<String> before = describeRecords(recordsBefore);
        final Map<TopicPartition, Long> endBefore = endOffsets(tps);
        final TopicDescription describedBefore = Clients.describeTopic(broker.bootstrapServers(), topic);
        final Map<TopicPartition, Long> times = new HashMap<>();
        for (final TopicPartition tp : tps) {
            times.put(tp, timestampOfRecord(recordsBefore, tp, 777));
        }
        final Map<TopicPartition, OffsetAndTimestamp> byTimeBefore = offsetsForTimes(times);

        broker.restart();

        assertThat(endOffsets(tps)).isEqualTo(endBefore);
        assertThat(offsetsForTimes(times))
                .as("offsets for times after the restart")
                .isEqualTo(byTimeBefore);
        assertThat(byTimeBefore.values()).doesNotContainNull();
        assertThat(describeRecords(readAll(topic))).containsExactlyElementsOf(before);
        final TopicDescription describedAfter = Clients.describeTopic(broker.bootstrapServers(), topic);
        assertThat(describedAfter.topicId()).as("topic id after restart").isEqualTo(describedBefore.topicId());
        assertThat(describedAfter.partitions()).hasSize(PARTITIONS);
    }

    @Test
    void shouldContinueAtLogEndOffsetAfterRestart() throws Exception {
        final String topic = "continued";
        Clients.createTopic(broker.bootstrapServers(), topic, PARTITIONS);
        final List<TopicPartition> tps = partitions(topic);
        produce(topic, 0, 900, 0);
        final Map<TopicPartition, Long> endBefore = endOffsets(tps);

        broker.restart();
        final List<RecordMetadata> acks = produce(topic, 900, 300, 0);

        final Map<TopicPartition, Long> expectedNext = new HashMap<>(endBefore);
        for (final RecordMetadata ack : acks) {
            final TopicPartition tp = new TopicPartition(ack.topic(), ack.partition());
            assertThat(ack.offset())
                    .as("offset of a record produced after the restart to %s", tp)
                    .isEqualTo(expectedNext.get(tp));
            expectedNext.put(tp, ack.offset() + 1);
        }
        final List<ConsumerRecord<String, String>> records = readAll(topic);
        assertThat(records).hasSize(1_200);
        assertPartitionsHoldSequence(records, 1_200);
    }

    @Test
    void shouldNotDuplicateWhenIdempotentProducerRunsAcrossRestart() throws Exception {
        final String topic = "across";
        Clients.createTopic(broker.bootstrapServers(), topic, PARTITIONS);
        final int count = 6_000;
        final List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(
                broker.bootstrapServers(),
                Clients.props(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE,
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                        ProducerConfig.BATCH_SIZE_CONFIG, 4_096,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000))) {
            CompletableFuture<Void> restarted = null;
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, i % PARTITIONS, "k", value(i))));
                if (i == count / 3) {
                    broker.stop();
                    // send() may block on metadata while the broker is down, so another thread brings it back
                    // after the producer has seen its connection fail and queued (and retried) sends.
                    restarted = CompletableFuture.runAsync(() -> {
                        Bounded.sleep(Duration.ofSeconds(2));
                        Bounded.run("restart broker", Duration.ofSeconds(60), broker::startAgain);
                    });
                }
                if (i % 100 == 0) {
                    Bounded.sleep(Duration.ofMillis(5));
                }
            }
            restarted.get(70, TimeUnit.SECONDS);
            for (int i = 0; i < count; i++) {
                sends.get(i).get(90, TimeUnit.SECONDS);
            }
        }

        final List<ConsumerRecord<String, String>> records = readAll(topic);

        assertThat(records).hasSize(count);
        assertPartitionsHoldSequence(records, count);
    }

    /** Records value(i) went to partition i % PARTITIONS: each partition holds its i in order, each once. */
    private static void assertPartitionsHoldSequence(
            final List<ConsumerRecord<String, String>> records, final int count) {
        final Map<Integer, List<String>> byPartition = new HashMap<>();
        for (final ConsumerRecord<String, String> record : records) {
            byPartition
                    .computeIfAbsent(record.partition(), p -> new ArrayList<>())
                    .add(record.value());
        }
        for (int p = 0; p < PARTITIONS; p++) {
            final int partition = p;
            assertThat(byPartition.get(p))
                    .as("values in partition %d", p)
                    .containsExactlyElementsOf(IntStream.range(0, count)
                            .filter(i -> i % PARTITIONS == partition)
                            .mapToObj(RestartIT::value)
                            .toList());
        }
    }

    private List<RecordMetadata> produce(final String topic, final int from, final int count, final int paddingBytes)
            throws Exception {
        final String padding = " " + "p".repeat(paddingBytes);
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(new ProducerRecord<>(
                    topic, i % PARTITIONS, "key-" + i, paddingBytes == 0 ? value(i) : value(i) + padding));
        }
        try (KafkaProducer<String, String> producer = Clients.producer(
                broker.bootstrapServers(), Clients.props(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            return Produce.acked(producer, records);
        }
    }

    private List<ConsumerRecord<String, String>> readAll(final String topic) {
        return Consume.allOf(broker.bootstrapServers(), topic, READ_TIMEOUT);
    }

    private Map<TopicPartition, Long> endOffsets(final List<TopicPartition> tps) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers())) {
            return consumer.endOffsets(tps, READ_TIMEOUT);
        }
    }

    private Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(final Map<TopicPartition, Long> times) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers())) {
            return new HashMap<>(consumer.offsetsForTimes(times, READ_TIMEOUT));
        }
    }

    private static long timestampOfRecord(
            final List<ConsumerRecord<String, String>> records, final TopicPartition tp, final long offset) {
        for (final ConsumerRecord<String, String> record : records) {
            if (record.partition() == tp.partition() && record.offset() == offset) {
                return record.timestamp();
            }
        }
        throw new AssertionError("no record at " + tp + "@" + offset);
    }

    private static List<TopicPartition> partitions(final String topic) {
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        return tps;
    }

    private static List<String> describeRecords(final List<ConsumerRecord<String, String>> records) {
        final List<String> described = new ArrayList<>();
        for (final ConsumerRecord<String, String> record : records) {
            described.add(record.partition() + "@" + record.offset() + " ts=" + record.timestamp() + " " + record.key()
                    + "=" + record.value());
        }
        described.sort(null);
        return described;
    }

    private static String value(final int i) {
        return "value-" + i;
    }
}
