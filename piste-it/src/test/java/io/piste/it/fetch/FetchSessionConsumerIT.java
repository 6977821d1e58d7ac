package io.piste.it.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real Java consumer, which uses incremental fetch sessions, on a topic with many partitions and small fetches:
 * every record is delivered exactly once and in order, across pauses and resumes, a seek back, assignment changes,
 * its session being evicted by another client (it recovers from {@code FETCH_SESSION_ID_NOT_FOUND}) and a broker
 * restart (all sessions are gone; the client starts a new one).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FetchSessionConsumerIT {
    private static final String TOPIC = "sessions";
    private static final int PARTITIONS = 30;
    private static final int ROUNDS = 4;
    private static final int PER_ROUND = 10;
    private static final int PER_PARTITION_PER_HALF = ROUNDS * PER_ROUND;
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(40);

    private Path dir;
    private TestBroker broker;

    /** Per partition, the offset the next delivered record must have: a gap or a duplicate is a problem. */
    private static final class Tracker {
        private final Map<TopicPartition, Long> next = new HashMap<>();
        private final List<String> problems = new ArrayList<>();
        private int delivered;

        void accept(final ConsumerRecords<String, String> records) {
            for (final ConsumerRecord<String, String> record : records) {
                final TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                final long expected = next.getOrDefault(tp, 0L);
                if (record.offset() != expected) {
                    problems.add(tp + ": got offset " + record.offset() + ", expected " + expected);
                }
                if (!record.value().equals(record.partition() + ":" + record.offset())) {
                    problems.add(tp + ": offset " + record.offset() + " holds " + record.value());
                }
                next.put(tp, record.offset() + 1);
                delivered++;
            }
        }

        void seek(final TopicPartition tp, final long offset) {
            next.put(tp, offset);
        }

        long next(final TopicPartition tp) {
            return next.getOrDefault(tp, 0L);
        }

        boolean allAt(final long offset) {
            for (int p = 0; p < PARTITIONS; p++) {
                if (next(new TopicPartition(TOPIC, p)) != offset) {
                    return false;
                }
            }
            return true;
        }
    }

    @BeforeEach
    void startBroker() throws Exception {
        dir = TestDirs.create("fetch-session-consumer");
        // One slot and a short eviction time, so that another client can take the consumer's session away.
        broker = TestBroker.start(
                dir,
                Map.of(
                        "max.incremental.fetch.session.cache.slots", "1",
                        "min.incremental.fetch.session.eviction.ms", "100"));
    }

    @AfterEach
    void stopBroker() {
        broker.close();
        TestDirs.deleteQuietly(dir);
    }

    private void produceHalf(final int half) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            // Several rounds, flushed apart, so that every partition holds several batches to fetch one by one.
            for (int round = 0; round < ROUNDS; round++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    for (int i = 0; i < PER_ROUND; i++) {
                        final long offset = (long) half * PER_PARTITION_PER_HALF + round * PER_ROUND + i;
                        producer.send(new ProducerRecord<>(TOPIC, p, "k", p + ":" + offset));
                    }
                }
                producer.flush();
            }
        }
    }

    private static void pollUntil(
            final KafkaConsumer<String, String> consumer,
            final Tracker tracker,
            final String what,
            final java.util.function.BooleanSupplier done) {
        final Bounded.Deadline deadline = Bounded.Deadline.in(PHASE_TIMEOUT);
        while (!done.getAsBoolean()) {
            assertThat(deadline.passed())
                    .as("timed out waiting for %s; delivered %d", what, tracker.delivered)
                    .isFalse();
            tracker.accept(consumer.poll(Duration.ofMillis(100)));
        }
    }

    /**
     * One session over three topics: partitions that return records move to the end of the session's read order,
     * so the topics interleave in it, and small fetch limits leave partitions out of responses. The broker maps
     * what it read back to the session's partitions by position; a mistake would show as gaps, duplicates or a
     * stalled partition.
     */
    @Test
    void shouldDeliverEveryRecordOnceWhenASessionSpansTopicsInInterleavedOrder() throws Exception {
        final List<String> topics = List.of("multi-a", "multi-b", "multi-c");
        final int partitions = 4;
        final int perPartition = 60;
        final List<TopicPartition> all = new ArrayList<>();
        for (final String topic : topics) {
            Clients.createTopic(broker.bootstrapServers(), topic, partitions);
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
        }
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            // Every round writes each partition once, in a different order, flushed apart: several batches each.
            for (int round = 0; round < 6; round++) {
                for (int i = 0; i < all.size(); i++) {
                    final TopicPartition tp = all.get((i * 5 + round) % all.size());
                    for (int r = 0; r < perPartition / 6; r++) {
                        producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", "v"));
                    }
                }
                producer.flush();
            }
        }
        final Map<TopicPartition, Long> next = new HashMap<>();
        final List<String> problems = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(
                broker.bootstrapServers(),
                Clients.props(
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024,
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 256,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 23))) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            final Bounded.Deadline deadline = Bounded.Deadline.in(PHASE_TIMEOUT);
            int delivered = 0;
            while (delivered < all.size() * perPartition) {
                assertThat(deadline.passed())
                        .as("timed out; delivered %d", delivered)
                        .isFalse();
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    final TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    final long expected = next.getOrDefault(tp, 0L);
                    if (record.offset() != expected) {
                        problems.add(tp + ": got offset " + record.offset() + ", expected " + expected);
                    }
                    next.put(tp, record.offset() + 1);
                    delivered++;
                }
            }
            assertThat(broker.fetchSessionCount())
                    .as("the consumer fetched in a session")
                    .isEqualTo(1);
        }
        assertThat(problems).isEmpty();
        for (final TopicPartition tp : all) {
            assertThat(next.get(tp)).as("records of %s", tp).isEqualTo(perPartition);
        }
    }

    @Test
    void shouldDeliverEveryRecordExactlyOnceAcrossSessionChanges() throws Exception {
        Clients.createTopic(broker.bootstrapServers(), TOPIC, PARTITIONS);
        produceHalf(0);
        final List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(new TopicPartition(TOPIC, p));
        }
        final Tracker tracker = new Tracker();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(
                broker.bootstrapServers(),
                Clients.props(
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 2048,
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 512,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 37))) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            pollUntil(consumer, tracker, "a first third", () -> tracker.delivered >= 300);
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(10), Duration.ofMillis(20), () -> broker.fetchSessionCount() == 1))
                    .as("the consumer fetches in a session")
                    .isTrue();

            // Paused partitions leave the session (forgotten) and come back (added) on resume.
            final List<TopicPartition> paused = all.subList(0, 10);
            consumer.pause(paused);
            for (int i = 0; i < 5; i++) {
                final ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                for (final TopicPartition tp : paused) {
                    assertThat(records.records(tp))
                            .as("records of paused %s", tp)
                            .isEmpty();
                }
                tracker.accept(records);
            }
            consumer.resume(paused);

            // A seek back: the session must read from the new position, which the client sends as an update.
            final TopicPartition rewound = all.get(10);
            pollUntil(consumer, tracker, "progress on " + rewound, () -> tracker.next(rewound) > 3);
            consumer.seek(rewound, 3);
            tracker.seek(rewound, 3);

            // Assignment shrinks and grows back; the returning partitions resume where they stopped.
            final Map<TopicPartition, Long> positions = new HashMap<>();
            for (final TopicPartition tp : all.subList(20, 30)) {
                positions.put(tp, consumer.position(tp));
                assertThat(positions.get(tp)).isEqualTo(tracker.next(tp));
            }
            consumer.assign(all.subList(0, 20));
            for (int i = 0; i < 3; i++) {
                tracker.accept(consumer.poll(Duration.ofMillis(100)));
            }
            consumer.assign(all);
            positions.forEach(consumer::seek);

            evictWhileConsuming(consumer, tracker);

            pollUntil(consumer, tracker, "the first half", () -> tracker.allAt(PER_PARTITION_PER_HALF));
            assertThat(tracker.problems).isEmpty();

            // After a restart the broker has no sessions: the client reconnects and starts a new one.
            broker.restart();
            assertThat(broker.fetchSessionCount()).isZero();
            produceHalf(1);
            pollUntil(consumer, tracker, "the second half", () -> tracker.allAt(2L * PER_PARTITION_PER_HALF));
            assertThat(Bounded.waitFor(Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
                        tracker.accept(consumer.poll(Duration.ofMillis(50)));
                        return broker.fetchSessionCount() == 1;
                    }))
                    .as("the consumer fetches in a new session after the restart")
                    .isTrue();
            for (int i = 0; i < 3; i++) {
                tracker.accept(consumer.poll(Duration.ofMillis(100)));
            }
        }
        assertThat(tracker.problems).as("gaps, duplicates or wrong values").isEmpty();
        assertThat(tracker.allAt(2L * PER_PARTITION_PER_HALF)).isTrue();
    }

    /**
     * Another client keeps creating larger sessions while the consumer fetches: with one slot, each evicts the
     * consumer's session, whose next incremental fetch gets {@code FETCH_SESSION_ID_NOT_FOUND}.
     */
    private void evictWhileConsuming(final KafkaConsumer<String, String> consumer, final Tracker tracker)
            throws Exception {
        final long evictionsBefore = broker.fetchSessionEvictions();
        final long[] larger = new long[2 * (PARTITIONS + 10)];
        for (int p = 0; p < PARTITIONS + 10; p++) {
            larger[2 * p] = p;
            larger[2 * p + 1] = Long.MAX_VALUE / 2;
        }
        try (RawFetcher evictor = new RawFetcher(broker.port())) {
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofMillis(1_500));
            while (!deadline.passed()) {
                final int own = evictor.fetch(
                                RawFetcher.BY_NAME, RawFetcher.request(0, 0, TOPIC, Uuid.ZERO_UUID, larger))
                        .sessionId();
                if (own != 0) {
                    // Closed, not left to be evicted: every eviction counted below is the consumer's session.
                    evictor.fetch(RawFetcher.BY_NAME, RawFetcher.request(own, -1, TOPIC, Uuid.ZERO_UUID));
                }
                tracker.accept(consumer.poll(Duration.ofMillis(150)));
            }
        }
        assertThat(broker.fetchSessionEvictions())
                .as("consumer sessions evicted")
                .isGreaterThan(evictionsBefore);
    }
}
