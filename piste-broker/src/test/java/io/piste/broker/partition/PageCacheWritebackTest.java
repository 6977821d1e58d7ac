package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Page-cache mode writes appended data back each {@code log.writeback.interval.ms}, without holding back acks. */
class PageCacheWritebackTest {

    @TempDir
    Path dir;

    private LogManager open(String writebackMs) throws IOException {
        LogManager replicas = new LogManager(new BrokerConfig(Map.of(
                BrokerConfig.LOG_DIRS_CONFIG,
                dir.resolve("logs").toString(),
                BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG,
                "false",
                BrokerConfig.LOG_WRITEBACK_INTERVAL_MS_CONFIG,
                writebackMs)));
        try (LocalController controller = LocalController.open(dir.resolve("metadata"))) {
            replicas.startup(controller.image());
        }
        replicas.onTopicCreated(new TopicImage("t", Uuid.randomUuid(), 1, Map.of()), MetadataImage.EMPTY);
        return replicas;
    }

    private static long append(Partition partition) throws IOException {
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[1024]));
        return partition.appendRecordsToLeader(batch.buffer()).lastOffset() + 1;
    }

    /** Waits (at most 10 s) for the recovery point to reach {@code offset}; the caller asserts it did. */
    private static void awaitRecoveryPoint(Partition partition, long offset) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (partition.log().recoveryPoint() < offset && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void shouldWriteBackAppendedDataEachInterval() throws Exception {
        try (LogManager replicas = open("100")) {
            assertThat(replicas.scheduledFlushPeriodMs())
                    .as("the write-back's period")
                    .isEqualTo(100);
            Partition partition = replicas.partition("t", 0);
            long end = append(partition);
            assertThat(partition.highWatermark())
                    .as("visible before any write-back")
                    .isEqualTo(end);

            awaitRecoveryPoint(partition, end);
            assertThat(partition.log().recoveryPoint())
                    .as("flushed by the write-back")
                    .isEqualTo(end);

            long second = append(partition);
            awaitRecoveryPoint(partition, second);
            assertThat(partition.log().recoveryPoint())
                    .as("and again for the next append")
                    .isEqualTo(second);
        }
    }

    @Test
    void shouldLeaveWriteBackToTheOsWhenTheIntervalIsZero() throws Exception {
        try (LogManager replicas = open("0")) {
            // Nothing scheduled at all: a timer, however long, would flush in the end.
            assertThat(replicas.scheduledFlushPeriodMs())
                    .as("Kafka's default: never flushed on a timer")
                    .isZero();
            Partition partition = replicas.partition("t", 0);
            long end = append(partition);
            assertThat(partition.highWatermark()).as("visible without a flush").isEqualTo(end);
            assertThat(partition.log().recoveryPoint())
                    .as("not flushed by the append")
                    .isZero();
            assertThat(replicas.scheduledFlushPeriodMs())
                    .as("nor scheduled by it")
                    .isZero();
        }
    }

    @Test
    void shouldFlushAtTheShorterOfTheFlushAndWritebackIntervals() {
        assertThat(PageCacheFlushSchedule.periodMs(Long.MAX_VALUE, 1000)).isEqualTo(1000);
        assertThat(PageCacheFlushSchedule.periodMs(300, 1000)).isEqualTo(300);
        assertThat(PageCacheFlushSchedule.periodMs(5000, 1000)).isEqualTo(1000);
        assertThat(PageCacheFlushSchedule.periodMs(5000, 0)).isEqualTo(5000);
        assertThat(PageCacheFlushSchedule.periodMs(Long.MAX_VALUE, 0))
                .as("never, as Kafka")
                .isZero();
    }
}
