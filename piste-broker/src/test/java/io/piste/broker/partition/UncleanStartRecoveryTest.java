package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.LocalController;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.log.FileChannelFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * After an unclean stop the logs of user topics are recovered off the request path: a request for a partition whose
 * recovery has not run gets no partition at once (and a retriable error), never a wait on a network thread; every log
 * is recovered in the background, and the next clean stop writes the clean-shutdown marker again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UncleanStartRecoveryTest {

    @TempDir
    Path dir;

    private Path logDir() {
        return dir.resolve("logs");
    }

    private LogManager newLogManager(FileChannelFactory files) throws Exception {
        return new LogManager(
                new BrokerConfig(Map.of(
                        BrokerConfig.LOG_DIRS_CONFIG,
                        logDir().toString(),
                        BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG,
                        "true")),
                files);
    }

    private static long appendDurably(Partition partition, int count) throws Exception {
        long end = 0;
        for (int i = 0; i < count; i++) {
            MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[100]));
            end = partition.appendRecordsToLeader(batch.buffer()).lastOffset() + 1;
        }
        CompletableFuture<Errors> ack = new CompletableFuture<>();
        partition.whenDurable(end, ack::complete);
        assertThat(ack.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        return end;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void shouldRecoverOffTheRequestPathAndWriteTheMarkerAgainOnceEveryLogIsRecovered() throws Exception {
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            try (LogManager replicas = newLogManager(FileChannelFactory.DEFAULT)) {
                replicas.startup(controller.image());
                controller.setListener(replicas);
                controller.createTopic("t", 3, Map.of());
                appendDurably(replicas.partition("t", 0), 5);
                appendDurably(replicas.partition("t", 2), 2);
                controller.setListener(null);
            }
            // As after a kill -9: no marker, so every log is recovered before it is served.
            Files.delete(logDir().resolve(CleanShutdownMarker.FILE_NAME));

            // The files of t-0 open only once the test lets them: its recovery is held half-way.
            CountDownLatch t0Files = new CountDownLatch(1);
            FileChannelFactory held = path -> {
                if (path.toString().contains("t-0")) {
                    try {
                        t0Files.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return FileChannelFactory.DEFAULT.open(path);
            };
            try (LogManager replicas = newLogManager(held)) {
                replicas.startup(controller.image());

                assertThat(replicas.servingPartition("t", 0))
                        .as("no partition, at once, while its recovery cannot finish")
                        .isNull();
                assertThat(replicas.recovering("t", 0)).isTrue();
                assertThat(replicas.failedToOpen("t", 0)).isFalse();

                t0Files.countDown();
                await(() -> replicas.servingPartition("t", 0) != null, "t-0 served once recovered");
                assertThat(replicas.servingPartition("t", 0).log().logEndOffset())
                        .isEqualTo(5);
                assertThat(replicas.recovering("t", 0)).isFalse();
                await(
                        () -> !replicas.recovering("t", 1) && !replicas.recovering("t", 2),
                        "the logs nobody asked for recovered in the background");
                assertThat(replicas.servingPartition("t", 2).log().logEndOffset())
                        .as("a log recovered, closed, and opened again")
                        .isEqualTo(2);
            }
            assertThat(CleanShutdownMarker.exists(logDir()))
                    .as("every log of the log dir was recovered: the clean stop writes the marker")
                    .isTrue();
        }
    }
}
