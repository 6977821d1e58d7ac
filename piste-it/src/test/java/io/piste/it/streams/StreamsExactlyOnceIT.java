package io.piste.it.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BackgroundProcess;
import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.Exec;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka Streams 4 with {@code exactly_once_v2} against Piste: the word count of {@link WordCountApp} runs in a child
 * JVM and is killed (SIGKILL) twice while it processes its input, with a broker restart after the first kill; the
 * second run keeps the state dir of the first, the third starts from an empty one and restores its store from the
 * changelog on Piste. The last committed count of each word, in the output topic and in the store's changelog, must
 * then equal the count the test computes from the lines it produced: a count from a killed run's transaction that
 * was not aborted, or input processed twice, would show as a count too high.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class StreamsExactlyOnceIT {
    private static final String INPUT = "lines";
    private static final String OUTPUT = "word-counts";
    private static final String APPLICATION = "wordcount";
    private static final String CHANGELOG = APPLICATION + "-" + WordCountApp.STORE + "-changelog";
    private static final int LINES = 2_000;
    /** Lines produced before the first run, then while the first run works, then while the second run works. */
    private static final int FIRST_PART = 800;

    private static final int SECOND_PART_END = 1_400;
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMPLETION_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(200);

    private Path dir;
    private TestBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void countsAreExactAfterKillsRestartsAndRestore() throws Exception {
        dir = TestDirs.create("streams-it");
        broker = TestBroker.start(
                dir.resolve("broker"),
                Map.of(
                        "group.initial.rebalance.delay.ms", "0",
                        "group.min.session.timeout.ms", "1000",
                        "offsets.topic.num.partitions", "3",
                        "transaction.state.log.num.partitions", "3",
                        "transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"));
        Clients.createTopic(broker.bootstrapServers(), INPUT, 3);
        Clients.createTopic(broker.bootstrapServers(), OUTPUT, 3);
        final List<String> lines = lines();
        final Path stateDir = dir.resolve("state");

        try (KafkaProducer<String, String> producer = Clients.producer(
                        broker.bootstrapServers(), Clients.props(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
                LastValues output = new LastValues(broker.bootstrapServers(), OUTPUT)) {
            send(producer, lines, 0, FIRST_PART);

            try (BackgroundProcess first = startApp(stateDir)) {
                awaitCounts(output, first, counts -> counts.equals(count(lines, FIRST_PART)));
                killWhileProcessing(first, producer, output, lines, FIRST_PART, SECOND_PART_END);
            }
            broker.restart();

            try (BackgroundProcess second = startApp(stateDir)) {
                awaitCounts(output, second, counts -> counts.equals(count(lines, SECOND_PART_END)));
                killWhileProcessing(second, producer, output, lines, SECOND_PART_END, LINES);
            }
            TestDirs.deleteQuietly(stateDir);

            final Map<String, Long> expected = count(lines, LINES);
            try (BackgroundProcess third = startApp(stateDir)) {
                final Map<String, Long> counts = awaitCounts(output, third, expected::equals);
                assertThat(counts)
                        .as("last committed count of each word in " + OUTPUT)
                        .isEqualTo(expected);
                try (LastValues changelog = new LastValues(broker.bootstrapServers(), CHANGELOG)) {
                    final Map<String, Long> stored = awaitCounts(changelog, third, expected::equals);
                    assertThat(stored)
                            .as("last committed value of each key in " + CHANGELOG)
                            .isEqualTo(expected);
                }
                third.stop(); // SIGTERM: the application's shutdown hook closes Streams
                assertThat(third.stdoutLines()).as(() -> describe(third)).endsWith("STATE NOT_RUNNING");
            }
        }
    }

    /**
     * Produces lines {@code [from, to)} in small paced batches and kills the application with SIGKILL once its
     * committed output shows it has processed some of them, then produces the rest with the application dead.
     */
    private static void killWhileProcessing(
            final BackgroundProcess app,
            final KafkaProducer<String, String> producer,
            final LastValues output,
            final List<String> lines,
            final int from,
            final int to) {
        final int half = from + (to - from) / 2;
        for (int start = from; start < half; start += 10) {
            send(producer, lines, start, Math.min(start + 10, half));
            Bounded.sleep(Duration.ofMillis(20));
        }
        final Map<String, Long> before = count(lines, from);
        awaitCounts(output, app, counts -> exceedsSomewhere(counts, before), PROGRESS_TIMEOUT);
        app.kill();
        send(producer, lines, half, to);
    }

    private static Map<String, Long> awaitCounts(
            final LastValues values, final BackgroundProcess app, final Predicate<Map<String, Long>> done) {
        return awaitCounts(values, app, done, COMPLETION_TIMEOUT);
    }

    /** Polls {@code values} until {@code done} holds of them or the timeout passes, and returns the last seen. */
    private static Map<String, Long> awaitCounts(
            final LastValues values,
            final BackgroundProcess app,
            final Predicate<Map<String, Long>> done,
            final Duration timeout) {
        final List<Map<String, Long>> seen = new ArrayList<>(List.of(Map.of()));
        Bounded.waitFor(timeout, CHECK_INTERVAL, () -> {
            assertThat(app.isAlive())
                    .as(() -> "the application is running: " + describe(app))
                    .isTrue();
            seen.set(0, values.poll());
            return done.test(seen.get(0));
        });
        return seen.get(0);
    }

    /** The application's stdout (its state changes) and the end of its log, for a failure's message. */
    private static String describe(final BackgroundProcess app) {
        final String log = app.stderr();
        return "\n--- stdout ---\n" + app.stdout() + "\n--- end of stderr ---\n"
                + log.substring(Math.max(0, log.length() - 6_000));
    }

    private static boolean exceedsSomewhere(final Map<String, Long> counts, final Map<String, Long> before) {
        return counts.entrySet().stream().anyMatch(e -> e.getValue() > before.getOrDefault(e.getKey(), 0L));
    }

    private BackgroundProcess startApp(final Path stateDir) {
        return BackgroundProcess.start(Exec.javaCommand(
                WordCountApp.class.getName(),
                List.of(broker.bootstrapServers(), APPLICATION, stateDir.toString(), INPUT, OUTPUT)));
    }

    private static void send(
            final KafkaProducer<String, String> producer, final List<String> lines, final int from, final int to) {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(INPUT, "line-" + i, lines.get(i)));
        }
        producer.flush();
    }

    /** A fixed set of lines of 1 to 8 words over a vocabulary of 40. */
    private static List<String> lines() {
        final Random random = new Random(42);
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            final StringBuilder line = new StringBuilder();
            final int words = 1 + random.nextInt(8);
            for (int w = 0; w < words; w++) {
                line.append(w == 0 ? "" : " ").append("word").append(random.nextInt(40));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** The count of each word in the first {@code end} lines, computed here, independently of Streams. */
    private static Map<String, Long> count(final List<String> lines, final int end) {
        final Map<String, Long> counts = new TreeMap<>();
        for (final String line : lines.subList(0, end)) {
            for (final String word : WordCountApp.words(line)) {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }
}
