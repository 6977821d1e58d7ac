package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.partition.LogRetentionService.DeleteRecordsResult;
import io.piste.storage.checkpoint.OffsetCheckpointFile;
import io.piste.storage.checkpoint.TopicPartitionKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention passes and DeleteRecords through a real LogManager and metadata log: the log start offset is checkpointed
 * before segments go, survives a restart, and logs not opened since the start are looked at from their files.
 */
class LogRetentionServiceTest {
    private static final long HOUR_MS = 3600_000L;
    private static final TopicPartitionKey T0 = new TopicPartitionKey("t", 0);

    @TempDir
    Path dir;

    private final long now = System.currentTimeMillis();

    private Path logDir() {
        return dir.resolve("logs");
    }

    private LogManager start(LocalController controller) throws IOException {
        return start(controller, Map.of());
    }

    private LogManager start(LocalController controller, Map<String, String> extra) throws IOException {
        Map<String, String> config = new HashMap<>(extra);
        config.put(BrokerConfig.LOG_DIRS_CONFIG, logDir().toString());
        config.put(BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG, "true");
        LogManager replicas = new LogManager(new BrokerConfig(config));
        replicas.startup(controller.image());
        controller.setListener(replicas);
        return replicas;
    }

    private static void append(Partition partition, int count, long timestampMs) throws Exception {
        long end = 0;
        for (int i = 0; i < count; i++) {
            MemoryRecords batch =
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(timestampMs, null, new byte[100]));
            end = partition.appendRecordsToLeader(batch.buffer()).lastOffset() + 1;
        }
        CompletableFuture<Errors> ack = new CompletableFuture<>();
        partition.whenDurable(end, ack::complete);
        assertThat(ack.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    private long checkpointedLogStart() throws IOException {
        return new OffsetCheckpointFile(logDir().resolve(OffsetCheckpoints.LOG_START_OFFSET_CHECKPOINT))
                .read()
                .getOrDefault(T0, -1L);
    }

    private List<String> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(logDir().resolve("t-0"))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .toList();
        }
    }

    private static Map<String, String> smallSegments(String retentionMs) {
        return Map.of("internal.segment.bytes", "1024", "retention.ms", retentionMs);
    }

    @Test
    void shouldCheckpointTheNewLogStartOffsetAndKeepItAcrossARestart() throws Exception {
        long logStart;
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            try (LogManager replicas = start(controller)) {
                controller.createTopic("t", 1, smallSegments(Long.toString(HOUR_MS)));
                Partition p = replicas.partition("t", 0);
                append(p, 40, now - 2 * HOUR_MS);
                append(p, 20, now);
                int segments = p.log().numberOfSegments();

                int deleted = replicas.retention().run(now);

                logStart = p.logStartOffset();
                assertThat(deleted).isPositive();
                assertThat(logStart).isPositive();
                assertThat(p.log().numberOfSegments()).isEqualTo(segments - deleted);
                assertThat(checkpointedLogStart()).isEqualTo(logStart);
                assertThat(p.fetchOffsetForTimestamp(
                                        ListOffsetsRequest.EARLIEST_TIMESTAMP, FetchIsolation.HIGH_WATERMARK)
                                .offset())
                        .isEqualTo(logStart);
                assertThat(files(".log.deleted")).hasSize(deleted);
                assertThat(replicas.retention().pendingDeletions()).isEqualTo(deleted);
                controller.setListener(null);
            }
            assertThat(files(".deleted")).as("removed at a clean stop").isEmpty();

            try (LogManager replicas = start(controller)) {
                assertThat(replicas.partition("t", 0).logStartOffset()).isEqualTo(logStart);
                controller.setListener(null);
            }
        }
    }

    @Test
    void shouldOpenALogNobodyOpenedOnlyWhenItsFilesSayRetentionMayApply() throws Exception {
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            try (LogManager replicas = start(controller)) {
                controller.createTopic("t", 1, smallSegments("-1"));
                append(replicas.partition("t", 0), 40, now - 2 * HOUR_MS);
                controller.setListener(null);
            }
            int segments = files(".log").size();
            try (LogManager replicas = start(controller)) {
                assertThat(replicas.retention().run(now)).isZero();
                assertThat(files(".log")).hasSize(segments);

                controller.replaceTopicConfigs("t", smallSegments(Long.toString(HOUR_MS)));
                int deleted = replicas.retention().run(now);

                assertThat(deleted).isEqualTo(segments);
                assertThat(checkpointedLogStart()).isPositive();
                controller.setListener(null);
            }
        }
    }

    @Test
    void shouldMoveTheLogStartOffsetForDeleteRecordsDurablyAndRefuseOffsetsAboveTheHighWatermark() throws Exception {
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            try (LogManager replicas = start(controller)) {
                controller.createTopic("t", 1, smallSegments("-1"));
                Partition p = replicas.partition("t", 0);
                append(p, 40, now);
                long hw = p.highWatermark();

                CompletableFuture<Map<Partition, DeleteRecordsResult>> above = new CompletableFuture<>();
                replicas.retention().deleteRecords(Map.of(p, hw + 1), above::complete);
                assertThat(above.get(10, TimeUnit.SECONDS).get(p).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);

                CompletableFuture<Map<Partition, DeleteRecordsResult>> done = new CompletableFuture<>();
                replicas.retention().deleteRecords(Map.of(p, 25L), done::complete);
                DeleteRecordsResult result = done.get(10, TimeUnit.SECONDS).get(p);

                assertThat(result).isEqualTo(new DeleteRecordsResult(Errors.NONE, 25));
                assertThat(checkpointedLogStart())
                        .as("durable before the answer")
                        .isEqualTo(25);
                assertThat(files(".log.deleted")).isNotEmpty();
                controller.setListener(null);
            }
        }
    }

    @Test
    void shouldStopARetentionPassAtItsNextLogOnceTold() throws Exception {
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            try (LogManager replicas = start(controller)) {
                controller.createTopic("t", 1, smallSegments(Long.toString(HOUR_MS)));
                Partition p = replicas.partition("t", 0);
                append(p, 40, now - 2 * HOUR_MS);
                append(p, 20, now);

                replicas.retention().stop();

                assertThat(replicas.retention().run(now)).isZero();
                assertThat(p.logStartOffset()).isZero();
                assertThat(files(".deleted")).isEmpty();
                controller.setListener(null);
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseQuicklyWhileRetentionPassesRunAndReopenEveryLogAtItsDurableStart() throws Exception {
        int partitions = 12;
        Map<Integer, long[]> atClose = new HashMap<>();
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            // Passes every 5 ms from 5 ms on, so that the close meets one under way (or between two).
            LogManager replicas = start(controller, Map.of("log.retention.check.interval.ms", "5"));
            controller.createTopic("t", partitions, smallSegments(Long.toString(HOUR_MS)));
            for (int i = 0; i < partitions; i++) {
                Partition p = replicas.partition("t", i);
                append(p, 40, now - 2 * HOUR_MS);
                append(p, 10, now);
            }
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (replicas.partition("t", 0).logStartOffset() == 0 && System.nanoTime() < waitUntil) {
                Thread.sleep(1);
            }
            for (int i = 0; i < partitions; i++) {
                Partition p = replicas.partition("t", i);
                atClose.put(i, new long[] {p.logStartOffset(), p.logEndOffset()});
            }

            long started = System.nanoTime();
            replicas.close();
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            controller.setListener(null);

            assertThat(closeMs).isLessThan(5_000);
            try (LogManager reopened = start(controller)) {
                for (int i = 0; i < partitions; i++) {
                    Partition p = reopened.partition("t", i);
                    assertThat(p.logStartOffset()).as("partition %d", i).isGreaterThanOrEqualTo(atClose.get(i)[0]);
                    assertThat(p.logEndOffset()).isEqualTo(atClose.get(i)[1]);
                    LogReadInfo read = p.read(p.logStartOffset(), 1 << 20, FetchIsolation.HIGH_WATERMARK, true);
                    assertThat(read.fetchedData().sizeInBytes()).isPositive();
                }
                controller.setListener(null);
            }
        }
    }
}
