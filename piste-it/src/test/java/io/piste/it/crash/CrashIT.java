package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.LoadProducer;
import io.piste.it.support.LoadVerifier;
import io.piste.it.support.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGKILL under load, three times on the same log dir: after each restart every acknowledged record of every
 * round so far is there, once, in order. The kill moments come from a seeded Random; rerun a failure with
 * {@code -Dpiste.crash.seed=<seed printed by the test>}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrashIT {
    private static final int PARTITIONS = 6;
    private static final int PRODUCERS = 3;
    private static final int ROUNDS = 3;
    private static final int RECORDS_PER_SECOND = 1_500;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private BrokerProcess broker;
    private final List<LoadProducer> allProducers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (final LoadProducer producer : allProducers) {
            producer.close();
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordExactlyOnceAfterKill9() throws Exception {
        runRounds("crash", Map.of(), ROUNDS);
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordExactlyOnceAfterKill9WithSyncfsGroupCommits() throws Exception {
        // The default (auto) fsyncs 6 partitions over a pool; this forces the syncfs group commit at any count.
        runRounds("crash-syncfs", Map.of("log.flush.method", "syncfs"), 2);
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordAfterKill9WithoutFlushOnAck() throws Exception {
        // Kafka's page-cache mode: SIGKILL ends the process, not the kernel, so acknowledged data survives too.
        runRounds("crash-no-flush", Map.of("log.flush.on.ack", "false"), 2);
    }

    private void runRounds(final String name, final Map<String, String> overrides, final int rounds) throws Exception {
        final long seed = Long.getLong("piste.crash.seed", System.nanoTime());
        System.out.println("CrashIT " + name + " seed: " + seed + " (rerun with -Dpiste.crash.seed=" + seed + ")");
        final Random random = new Random(seed);
        final Path dir = TestDirs.create(name);
        final Map<String, String> config = new LinkedHashMap<>(overrides);
        config.put("log.segment.bytes", Integer.toString(1024 * 1024));
        config.put("num.partitions", Integer.toString(PARTITIONS));
        broker = brokers.start(name + "-broker", dir.resolve("logs"), dir, config);
        final Map<String, List<LoadProducer>> producersByTopic = new LinkedHashMap<>();

        for (int round = 0; round < rounds; round++) {
            // Round 0 abandons its producers at the kill; later rounds keep them running across the restart,
            // so batches the broker wrote but never acknowledged are retried against the recovered log.
            final boolean producersSurvive = round > 0;
            final String topic = "crash-" + round;
            Clients.createTopic(broker.bootstrapServers(), topic, PARTITIONS);
            final List<LoadProducer> producers = startProducers(topic, round);
            producersByTopic.put(topic, producers);
            final long loadMs = 3_000 + random.nextInt(6_000);
            System.out.println("CrashIT " + name + " round " + round + ": kill -9 after " + loadMs
                    + " ms of load, producers " + (producersSurvive ? "survive" : "abandoned"));

            Bounded.sleep(Duration.ofMillis(loadMs));
            broker.kill9();
            if (!producersSurvive) {
                producers.forEach(LoadProducer::abandon);
            }
            broker.restart();
            if (producersSurvive) {
                Bounded.sleep(Duration.ofSeconds(2));
                for (final LoadProducer producer : producers) {
                    producer.stopAndFlush(Duration.ofSeconds(60));
                    assertThat(producer.errors())
                            .as(
                                    "send errors of %s (%d in all) across kill -9 and restart",
                                    producer.name(), producer.errorCount())
                            .isEmpty();
                    assertThat(producer.ackedCount())
                            .as("acks of %s", producer.name())
                            .isEqualTo(producer.sentCount());
                }
            }

            for (final Map.Entry<String, List<LoadProducer>> entry : producersByTopic.entrySet()) {
                verify(entry.getKey(), entry.getValue(), round);
            }
        }
        try (Stream<Path> files = Files.walk(dir.resolve("logs"))) {
            System.out.println("CrashIT " + name + ": "
                    + files.filter(f -> f.toString().endsWith(".log")).count() + " segment files in "
                    + dir.resolve("logs"));
        }
        assertThat(broker.output())
                .as("Netty leak reports in " + broker.outputFile())
                .doesNotContain("LEAK:");
        broker.stop();
        TestDirs.deleteQuietly(dir);
    }

    private List<LoadProducer> startProducers(final String topic, final int round) {
        final List<LoadProducer> producers = new ArrayList<>();
        for (int i = 0; i < PRODUCERS; i++) {
            final LoadProducer producer = new LoadProducer(
                    "r" + round + "p" + i,
                    Clients.producer(
                            broker.bootstrapServers(),
                            Clients.props(
                                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                                    ProducerConfig.ACKS_CONFIG, "all",
                                    ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE,
                                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000)),
                    topic,
                    PARTITIONS,
                    RECORDS_PER_SECOND,
                    2_000);
            allProducers.add(producer);
            // ~230-byte values: each partition rolls past a 1 MiB segment within a round.
            producers.add(producer.padding(200).start());
        }
        return producers;
    }

    private void verify(final String topic, final List<LoadProducer> producers, final int round) {
        final List<ConsumerRecord<String, String>> records =
                Consume.allOf(broker.bootstrapServers(), topic, READ_TIMEOUT);
        long acked = 0;
        for (final LoadProducer producer : producers) {
            assertThat(producer.ackedCount())
                    .as("acks %s got before the kill", producer.name())
                    .isPositive();
            acked += producer.ackedCount();
        }
        System.out.println("CrashIT after round " + round + ": " + topic + " holds " + records.size() + " records, "
                + acked + " acknowledged");
        assertThat(LoadVerifier.problems(records, producers))
                .as("problems in %s after round %d (broker output: %s)", topic, round, broker.outputFile())
                .isEmpty();
    }
}
