package io.piste.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.MetricsScrape;
import io.piste.it.support.Produce;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import io.piste.server.PisteServer;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.log.FileChannelFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /ready} answers 503 while a log is still being recovered after an unclean stop and 200 once it is; {@code
 * /health} answers 200 throughout. The recovery is held at the open of the topic's segment file (the
 * {@link FileChannelFactory} seam) until the test has seen 503, so no timing decides the outcome. A broker with an
 * empty {@code metrics.http.listener} serves no endpoint; a stopped broker releases its endpoint's port and thread.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadyIT {
    private static final String TOPIC = "ready-recovering";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldBeReadyOnlyOnceTheBackgroundRecoveryIsDone() throws Exception {
        final Path logDir = TestDirs.create("ready").resolve("logs");
        try (TestBroker broker = TestBroker.start(logDir)) {
            Clients.createTopic(broker.bootstrapServers(), TOPIC, 1);
            final List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                records.add(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i));
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
                Produce.acked(producer, records);
            }
        }
        // As after kill -9: without the marker the next start recovers every log of the dir, in the background.
        Files.delete(logDir.resolve(CleanShutdownMarker.FILE_NAME));

        final CountDownLatch recoveryStarted = new CountDownLatch(1);
        final CountDownLatch letRecoveryGo = new CountDownLatch(1);
        final FileChannelFactory heldAtTopicOpen = path -> {
            if (path.getParent().getFileName().toString().equals(TOPIC + "-0")) {
                recoveryStarted.countDown();
                awaitQuietly(letRecoveryGo);
            }
            return FileChannelFactory.DEFAULT.open(path);
        };
        final Map<String, String> config = Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", logDir.toString(),
                "num.recovery.threads.per.data.dir", "1",
                "metrics.http.listener", "127.0.0.1:0");
        final long threadsBefore = endpointThreads();
        final PisteServer server = Bounded.call(
                "start broker in " + logDir,
                TestBroker.START_TIMEOUT,
                () -> PisteServer.start(config, heldAtTopicOpen));
        final int port = server.metricsPort();
        try {
            assertThat(recoveryStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the background recovery opened the topic's log")
                    .isTrue();
            assertThat(MetricsScrape.status(port, "/ready")).isEqualTo(503);
            assertThat(MetricsScrape.status(port, "/health")).isEqualTo(200);

            letRecoveryGo.countDown();
            assertThat(Bounded.waitFor(WAIT, Duration.ofMillis(50), () -> statusQuietly(port, "/ready") == 200))
                    .as("/ready answers 200 once the recovery is done")
                    .isTrue();
            assertThat(MetricsScrape.status(port, "/health")).isEqualTo(200);
        } finally {
            letRecoveryGo.countDown();
            Bounded.run("close broker", TestBroker.CLOSE_TIMEOUT, server::close);
        }
        // Stopped: the port is free again and the endpoint's thread is gone.
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port));
        }
        assertThat(endpointThreads()).isEqualTo(threadsBefore);
    }

    @Test
    void shouldServeNoEndpointWhenTheListenerIsEmpty() throws Exception {
        final long before = endpointThreads();
        try (TestBroker broker =
                TestBroker.start(TestDirs.create("no-metrics").resolve("logs"), Map.of("metrics.http.listener", ""))) {
            assertThat(broker.metricsPort()).isEqualTo(-1);
            assertThat(endpointThreads()).isEqualTo(before);
        }
    }

    /** Live threads of metrics endpoints in this JVM (other test classes' brokers are closed by now). */
    private static long endpointThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("piste-metrics-http") && t.isAlive())
                .count();
    }

    private static void awaitQuietly(final CountDownLatch latch) {
        try {
            latch.await(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int statusQuietly(final int port, final String path) {
        try {
            return MetricsScrape.status(port, path);
        } catch (Exception e) {
            return -1;
        }
    }
}
