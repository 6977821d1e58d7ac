package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Produce;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java producer and consumer against one broker: codecs, record fields, ordering, acks, offsets by time,
 * long polling and the produce-side errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProduceConsumeIT {
    private static final int MESSAGE_MAX_BYTES = 256 * 1024;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerExtension BROKER =
            BrokerExtension.withOverrides("message.max.bytes", Integer.toString(MESSAGE_MAX_BYTES));

    @ParameterizedTest(name = "compression.type={0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldReadBackEveryCodec(final String codec) throws Exception {
        final String topic = "codec-" + codec;
        final int count = 500;
        final List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(new ProducerRecord<>(topic, 0, "key-" + i, compressibleValue(i)));
        }
        final List<RecordMetadata> acks;
        try (KafkaProducer<String, String> producer = Clients.producer(
                BROKER.bootstrapServers(),
                Clients.props(
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        codec,
                        ProducerConfig.LINGER_MS_CONFIG,
                        50,
                        ProducerConfig.BATCH_SIZE_CONFIG,
                        64 * 1024))) {
            acks = Produce.acked(producer, sent);
        }
        for (int i = 0; i < count; i++) {
            assertThat(acks.get(i).offset())
                    .as("offset acknowledged for record %d", i)
                    .isEqualTo(i);
        }

        final List<ConsumerRecord<String, String>> records = readPartition(topic, 0, count);

        assertThat(records).hasSize(count);
        for (int i = 0; i < count; i++) {
            final ConsumerRecord<String, String> record = records.get(i);
            assertThat(record.offset()).isEqualTo(i);
            assertThat(record.key()).isEqualTo("key-" + i);
            assertThat(record.value()).isEqualTo(compressibleValue(i));
        }
    }

    @Test
    void shouldFetchFromOffsetInsideCompressedBatch() throws Exception {
        final String topic = "seek-into-batch";
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = Clients.producer(
                BROKER.bootstrapServers(),
                Clients.props(
                        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                        ProducerConfig.LINGER_MS_CONFIG, 200,
                        ProducerConfig.BATCH_SIZE_CONFIG, 200_000))) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, compressibleValue(i)));
            }
            producer.flush();
        }

        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 57);
            final List<ConsumerRecord<String, String>> records = new ArrayList<>();
            final long endNs = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (records.size() < 43 && System.nanoTime() < endNs) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }

            assertThat(records)
                    .extracting(ConsumerRecord::offset)
                    .containsExactlyElementsOf(LongStream.range(57, 100).boxed().toList());
            assertThat(records.get(0).value()).isEqualTo(compressibleValue(57));
        }
    }

    @Test
    void shouldReturnFirstBatchEvenWhenLargerThanFetchLimits() throws Exception {
        final String topic = "larger-than-fetch";
        final byte[] large = randomBytes(200_000, 3);
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(
                BROKER.bootstrapServers(), Clients.props(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"))) {
            producer.send(new ProducerRecord<>(topic, 0, null, large)).get(30, TimeUnit.SECONDS);
        }

        // KIP-74: a fetch returns the first batch whole even when it is larger than max.partition.fetch.bytes
        // and fetch.max.bytes, or a consumer could never get past it.
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.bytesConsumer(
                BROKER.bootstrapServers(), Clients.props("max.partition.fetch.bytes", 1024, "fetch.max.bytes", 1024))) {
            final List<ConsumerRecord<byte[], byte[]>> records =
                    Consume.fromBeginning(consumer, List.of(new TopicPartition(topic, 0)), 1, READ_TIMEOUT);

            assertThat(records).hasSize(1);
            assertThat(records.get(0).value()).isEqualTo(large);
        }
    }

    @Test
    void shouldResetOffsetOutOfRange() throws Exception {
        final String topic = "out-of-range";
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i));
            }
            producer.flush();
        }

        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), Clients.props("auto.offset.reset", "earliest"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 1_000);
            final List<ConsumerRecord<String, String>> records = new ArrayList<>();
            final long endNs = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (records.size() < 10 && System.nanoTime() < endNs) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records)
                    .extracting(ConsumerRecord::offset)
                    .as("read after reset to earliest")
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        }
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), Clients.props("auto.offset.reset", "none"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 1_000);
            Throwable error = null;
            final long endNs = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (error == null && System.nanoTime() < endNs) {
                try {
                    assertThat(consumer.poll(Duration.ofMillis(200))).isEmpty();
                } catch (final OffsetOutOfRangeException e) {
                    error = e;
                }
            }
            assertThat(error).as("OFFSET_OUT_OF_RANGE for offset 1000 of 10").isNotNull();
        }
    }

    @Test
    void shouldPreserveKeysNullValuesHeadersAndTimestamps() throws Exception {
        final String topic = "fields";
        final long timestamp = 1_600_000_000_000L;
        final List<ProducerRecord<String, String>> sent = List.of(
                record(
                        topic,
                        timestamp,
                        "k1",
                        "v1",
                        List.of(header("trace", "abc"), header("trace", "second value"), header("empty", ""))),
                record(topic, timestamp + 1, null, "value without key", List.of()),
                record(topic, timestamp + 2, "tombstone", null, List.of()),
                record(
                        topic,
                        timestamp - 86_400_000L,
                        "unicode-ключ",
                        "värde ✓",
                        List.of(new RecordHeader("null-header", null))),
                record(topic, timestamp + 3, null, null, List.of()));
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            for (final ProducerRecord<String, String> record : sent) {
                producer.send(record).get(30, TimeUnit.SECONDS);
            }
        }

        final List<ConsumerRecord<String, String>> read = readPartition(topic, 0, sent.size());

        assertThat(read).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            final ProducerRecord<String, String> expected = sent.get(i);
            final ConsumerRecord<String, String> actual = read.get(i);
            assertThat(actual.key()).as("key of record %d", i).isEqualTo(expected.key());
            assertThat(actual.value()).as("value of record %d", i).isEqualTo(expected.value());
            assertThat(actual.timestamp()).as("timestamp of record %d", i).isEqualTo(expected.timestamp());
            assertThat(actual.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
            assertThat(headerStrings(actual.headers().toArray()))
                    .as("headers of record %d", i)
                    .isEqualTo(headerStrings(expected.headers().toArray()));
        }
    }

    @ParameterizedTest(name = "compression.type={0}")
    @ValueSource(strings = {"none", "lz4"})
    void shouldStampLogAppendTimeWhenTopicSaysSo(final String codec) throws Exception {
        final String topic = "log-append-time-" + codec;
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                            .configs(Map.of("message.timestamp.type", "LogAppendTime"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        final long oldTimestamp = 1_500_000_000_000L;
        final List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(new ProducerRecord<>(topic, 0, oldTimestamp + i, "k", "v" + i));
        }
        final long beforeMs = System.currentTimeMillis();
        final List<RecordMetadata> acks;
        try (KafkaProducer<String, String> producer = Clients.producer(
                BROKER.bootstrapServers(),
                Clients.props(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 50))) {
            acks = Produce.acked(producer, sent);
        }
        final long afterMs = System.currentTimeMillis();

        assertThat(acks)
                .allSatisfy(ack -> assertThat(ack.timestamp())
                        .as("log append time in the produce response")
                        .isBetween(beforeMs, afterMs));
        final List<ConsumerRecord<String, String>> records = readPartition(topic, 0, 20);
        assertThat(records).hasSize(20);
        assertThat(records).allSatisfy(record -> {
            assertThat(record.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(record.timestamp()).isBetween(beforeMs, afterMs);
        });
        assertThat(records)
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(
                        IntStream.range(0, 20).mapToObj(i -> "v" + i).toList());
    }

    @Test
    void shouldRejectTimestampTooFarInTheFuture() throws Exception {
        final String topic = "future-timestamp";
        // Kafka 4 defaults log.message.timestamp.after.max.ms to one hour.
        final long twoHoursAhead = System.currentTimeMillis() + 2 * 3_600_000L;
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            assertThat(producer.send(new ProducerRecord<>(topic, 0, System.currentTimeMillis(), "k", "now"))
                            .get(30, TimeUnit.SECONDS)
                            .offset())
                    .isZero();

            final Throwable error =
                    sendError(() -> producer.send(new ProducerRecord<>(topic, 0, twoHoursAhead, "k", "future")));

            assertThat(error).isInstanceOf(InvalidTimestampException.class);
        }
        assertThat(readPartition(topic, 0, 1)).extracting(ConsumerRecord::value).containsExactly("now");
    }

    @Test
    void shouldKeepPerKeyOrderAcrossSixPartitions() throws Exception {
        final String topic = "per-key-order";
        final int partitions = 6;
        final int keys = 60;
        final int perKey = 50;
        Clients.createTopic(BROKER.bootstrapServers(), topic, partitions);
        final Map<String, Integer> partitionOfKey = new HashMap<>();
        final List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int seq = 0; seq < perKey; seq++) {
            for (int k = 0; k < keys; k++) {
                sent.add(new ProducerRecord<>(topic, "key-" + k, "key-" + k + ":" + seq));
            }
        }
        final List<RecordMetadata> acks;
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            acks = Produce.acked(producer, sent);
        }
        for (int i = 0; i < sent.size(); i++) {
            final String key = sent.get(i).key();
            final RecordMetadata ack = acks.get(i);
            final Integer previous = partitionOfKey.put(key, ack.partition());
            assertThat(previous == null || previous == ack.partition())
                    .as("key %s acknowledged in partitions %s and %s", key, previous, ack.partition())
                    .isTrue();
        }

        final List<ConsumerRecord<String, String>> records =
                Consume.allOf(BROKER.bootstrapServers(), topic, READ_TIMEOUT);

        assertThat(records).hasSize(keys * perKey);
        final Map<Integer, Long> nextOffset = new HashMap<>();
        final Map<String, Integer> nextSeq = new HashMap<>();
        for (final ConsumerRecord<String, String> record : records) {
            final long expectedOffset = nextOffset.getOrDefault(record.partition(), 0L);
            assertThat(record.offset())
                    .as("offset in partition %d", record.partition())
                    .isEqualTo(expectedOffset);
            nextOffset.put(record.partition(), expectedOffset + 1);
            assertThat(record.partition())
                    .as("partition of %s", record.key())
                    .isEqualTo(partitionOfKey.get(record.key()));
            final int seq =
                    Integer.parseInt(record.value().substring(record.value().indexOf(':') + 1));
            assertThat(seq).as("sequence of %s", record.key()).isEqualTo(nextSeq.getOrDefault(record.key(), 0));
            nextSeq.put(record.key(), seq + 1);
        }
        assertThat(nextOffset.keySet()).as("partitions that got records").hasSizeGreaterThanOrEqualTo(4);
        assertThat(nextSeq.values()).allMatch(next -> next == perKey);
    }

    @ParameterizedTest(name = "acks={0}")
    @ValueSource(strings = {"0", "1", "all"})
    void shouldDeliverWithEveryAcksSetting(final String acks) throws Exception {
        final String topic = "acks-" + acks;
        final int count = 200;
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        final List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(new ProducerRecord<>(topic, 0, "k", "acks-" + acks + "-" + i));
        }
        final List<RecordMetadata> acked;
        try (KafkaProducer<String, String> producer = Clients.producer(
                BROKER.bootstrapServers(),
                Clients.props(
                        ProducerConfig.ACKS_CONFIG,
                        acks,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        "all".equals(acks)))) {
            acked = Produce.acked(producer, sent);
        }
        if (!"0".equals(acks)) {
            assertThat(acked)
                    .extracting(RecordMetadata::offset)
                    .containsExactlyElementsOf(
                            LongStream.range(0, count).boxed().toList());
        }

        final List<ConsumerRecord<String, String>> records = readPartition(topic, 0, count);

        assertThat(records)
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(IntStream.range(0, count)
                        .mapToObj(i -> "acks-" + acks + "-" + i)
                        .toList());
    }

    @Test
    void shouldFindOffsetsForTimes() throws Exception {
        final String topic = "offsets-for-times";
        final TopicPartition tp = new TopicPartition(topic, 0);
        final long base = (System.currentTimeMillis() - 86_400_000L) / 1000 * 1000;
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, base + i * 1000L, "k", "t" + i))
                        .get(30, TimeUnit.SECONDS);
            }
        }

        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers())) {
            final Map<Long, Long> expectedOffsetForTime =
                    Map.of(base - 1, 0L, base, 0L, base + 2500, 3L, base + 5000, 5L, base + 9000, 9L);
            for (final Map.Entry<Long, Long> expected : expectedOffsetForTime.entrySet()) {
                final OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, expected.getKey()), READ_TIMEOUT)
                        .get(tp);
                assertThat(found)
                        .as("offset for time base%+d", expected.getKey() - base)
                        .isNotNull();
                assertThat(found.offset())
                        .as("offset for time base%+d", expected.getKey() - base)
                        .isEqualTo(expected.getValue());
                assertThat(found.timestamp()).isEqualTo(base + expected.getValue() * 1000L);
            }
            assertThat(consumer.offsetsForTimes(Map.of(tp, base + 9001), READ_TIMEOUT)
                            .get(tp))
                    .as("offset for a time after the last record")
                    .isNull();
        }
    }

    @Test
    void shouldReportBeginningAndEndOffsets() throws Exception {
        final String topic = "begin-end";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 3);
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            for (int i = 0; i < 7; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "p0-" + i));
            }
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 1, "k", "p1-" + i));
            }
            producer.flush();
        }
        final List<TopicPartition> tps =
                List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));

        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers())) {
            assertThat(consumer.beginningOffsets(tps, READ_TIMEOUT))
                    .isEqualTo(Map.of(tps.get(0), 0L, tps.get(1), 0L, tps.get(2), 0L));
            assertThat(consumer.endOffsets(tps, READ_TIMEOUT))
                    .isEqualTo(Map.of(tps.get(0), 7L, tps.get(1), 3L, tps.get(2), 0L));
        }
    }

    @Test
    void shouldReadEverythingWithReadCommitted() throws Exception {
        // Without transactions the last stable offset is the high watermark: read_committed sees every record.
        final String topic = "read-committed";
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            for (int i = 0; i < 25; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "rc" + i));
            }
            producer.flush();
        }

        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), Clients.props("isolation.level", "read_committed"))) {
            assertThat(consumer.endOffsets(List.of(tp), READ_TIMEOUT)).containsEntry(tp, 25L);
            assertThat(Consume.toEnd(consumer, List.of(tp), READ_TIMEOUT))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(
                            IntStream.range(0, 25).mapToObj(i -> "rc" + i).toList());
        }
    }

    @Test
    void shouldAnswerLongPollAsSoonAsDataArrives() throws Exception {
        final String topic = "long-poll";
        final TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        final int maxWaitMs = 30_000;
        final KafkaConsumer<String, String> consumer = Clients.consumer(
                BROKER.bootstrapServers(),
                Clients.props("fetch.max.wait.ms", maxWaitMs, "fetch.min.bytes", 1, "request.timeout.ms", 45_000));
        try {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.position(tp, READ_TIMEOUT)).isZero();
            // The first fetch goes out in the first poll; the record is produced while it waits on the broker.
            final CompletableFuture<Long> ackedAtNs = CompletableFuture.supplyAsync(() -> {
                try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
                    Thread.sleep(2_000);
                    producer.send(new ProducerRecord<>(topic, 0, "k", "wake up"))
                            .get(30, TimeUnit.SECONDS);
                    return System.nanoTime();
                } catch (final Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            final long startNs = System.nanoTime();
            final List<ConsumerRecord<String, String>> received = new ArrayList<>();
            while (received.isEmpty() && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(25)) {
                consumer.poll(Duration.ofSeconds(1)).forEach(received::add);
            }
            final long receivedAtNs = System.nanoTime();

            assertThat(received).extracting(ConsumerRecord::value).containsExactly("wake up");
            final long lagMs = TimeUnit.NANOSECONDS.toMillis(receivedAtNs - ackedAtNs.get(30, TimeUnit.SECONDS));
            assertThat(lagMs)
                    .as("ms from produce ack to the waiting fetch's answer (fetch.max.wait.ms=%d)", maxWaitMs)
                    .isLessThan(maxWaitMs / 3);
        } finally {
            // The next fetch is parked on the broker for fetch.max.wait.ms, and a connection answers in order,
            // so a default close would wait for it: don't.
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        }
    }

    @Test
    void shouldRejectBatchLargerThanMessageMaxBytes() throws Exception {
        final String topic = "too-large";
        final TopicPartition tp = new TopicPartition(topic, 0);
        final byte[] fits = randomBytes(MESSAGE_MAX_BYTES - 10_000, 1);
        final byte[] tooLarge = randomBytes(MESSAGE_MAX_BYTES + 50_000, 2);
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(
                BROKER.bootstrapServers(),
                Clients.props(
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        4 * MESSAGE_MAX_BYTES,
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        "none"))) {
            assertThat(producer.send(new ProducerRecord<>(topic, 0, null, fits))
                            .get(30, TimeUnit.SECONDS)
                            .offset())
                    .isZero();

            final Throwable error = sendError(() -> producer.send(new ProducerRecord<>(topic, 0, null, tooLarge)));

            assertThat(error).isInstanceOf(RecordTooLargeException.class);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers())) {
            assertThat(consumer.endOffsets(List.of(tp), READ_TIMEOUT)).containsEntry(tp, 1L);
        }
    }

    static List<String> invalidTopicNames() {
        // Kafka's rules: at most 249 characters of [a-zA-Z0-9._-], and not "." or "..".
        return List.of("bad/name", "bad name", "..", "x".repeat(250));
    }

    @ParameterizedTest(name = "topic {0}")
    @MethodSource("invalidTopicNames")
    void shouldRejectInvalidTopicName(final String topic) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(
                BROKER.bootstrapServers(), Clients.props(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000))) {
            final Throwable error = sendError(() -> producer.send(new ProducerRecord<>(topic, "k", "v")));

            assertThat(error).isInstanceOf(InvalidTopicException.class);
        }
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(topic);
        }
    }

    @Test
    void shouldFailUnknownTopicWhenAutoCreateIsDisabled() throws Exception {
        final Path dir = TestDirs.create("no-auto-create");
        try (TestBroker broker = TestBroker.start(dir, Map.of("auto.create.topics.enable", "false"))) {
            try (KafkaProducer<String, String> producer = Clients.producer(
                    broker.bootstrapServers(), Clients.props(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000))) {
                final Throwable error = sendError(() -> producer.send(new ProducerRecord<>("unknown", "k", "v")));

                assertThat(error).isInstanceOfAny(TimeoutException.class, UnknownTopicOrPartitionException.class);
            }
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("unknown");
                admin.createTopics(List.of(new NewTopic("created", 1, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
                assertThat(producer.send(new ProducerRecord<>("created", "k", "v"))
                                .get(30, TimeUnit.SECONDS)
                                .offset())
                        .as("an explicitly created topic still takes records")
                        .isZero();
            }
        }
        TestDirs.deleteQuietly(dir);
    }

    private static List<ConsumerRecord<String, String>> readPartition(
            final String topic, final int partition, final int expected) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers())) {
            return Consume.fromBeginning(
                    consumer, List.of(new TopicPartition(topic, partition)), expected, READ_TIMEOUT);
        }
    }

    /** The exception a send reports, thrown by send() itself or through its future. */
    private static Throwable sendError(final Callable<Future<RecordMetadata>> send) throws InterruptedException {
        try {
            final RecordMetadata ack = send.call().get(30, TimeUnit.SECONDS);
            return fail("send succeeded: %s", ack);
        } catch (final ExecutionException e) {
            return e.getCause();
        } catch (final java.util.concurrent.TimeoutException e) {
            return fail("send neither failed nor succeeded within 30 s");
        } catch (final InterruptedException e) {
            throw e;
        } catch (final Exception e) {
            return e;
        }
    }

    private static String compressibleValue(final int i) {
        return "the same words again and again, the same words again and again, record number " + i;
    }

    private static ProducerRecord<String, String> record(
            final String topic,
            final long timestamp,
            final String key,
            final String value,
            final List<Header> headers) {
        return new ProducerRecord<>(topic, 0, Long.valueOf(timestamp), key, value, headers);
    }

    private static Header header(final String key, final String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> headerStrings(final Header[] headers) {
        final List<String> strings = new ArrayList<>();
        for (final Header header : headers) {
            strings.add(header.key() + "="
                    + (header.value() == null ? "<null>" : new String(header.value(), StandardCharsets.UTF_8)));
        }
        return strings;
    }

    private static byte[] randomBytes(final int size, final long seed) {
        final byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
