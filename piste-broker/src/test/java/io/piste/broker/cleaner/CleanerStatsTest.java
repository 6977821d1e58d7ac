package io.piste.broker.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.cleaner.KeyedLog.Entry;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.cleaner.CleanableLog;
import io.piste.storage.cleaner.CleanerConfig;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.CleanerStats;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.log.CompactionAccess.SegmentInfo;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.record.internal.CompressionType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cleaner's statistics (Kafka's LogCleaner gauges) against what the test computes from the log itself: the bytes
 * of the segments before and after a pass (recopy), the distinct keys over the map's slots (buffer utilization), the
 * dirty ratio and compaction delay of the log chosen, the time since the last round, and a pass that fails.
 */
class CleanerStatsTest {
    /** 300 slots of 24 bytes: the 150 keys of the changelog fill half the map. */
    private static final CleanerConfig SMALL_MAP =
            new CleanerConfig(true, 1, 300 * 24, 64 << 10, 0.9, Double.MAX_VALUE, 10);

    private static final LogConfig CONFIG =
            KeyedLog.compacted(LogConfig.defaults().withSegmentBytes(8 * 1024));

    @TempDir
    Path logDir;

    private final AtomicLong clock = new AtomicLong(1_000_000L);

    @Test
    @Timeout(60)
    void shouldReportTheLastPassAndTheLastChoiceAsKafkasGaugesDo() throws Exception {
        UnifiedLog log = UnifiedLog.open(logDir.resolve("changelog-0"), CONFIG, clock::get, true, 0);
        KeyedLog writer = changelog(log);
        List<SegmentInfo> before = log.compaction().inactiveSegments();
        long end = before.get(before.size() - 1).nextOffset();
        long bytesBefore = before.stream().mapToLong(SegmentInfo::sizeInBytes).sum();
        long keys = writer.written.stream()
                .filter(e -> e.offset() < end)
                .map(Entry::key)
                .distinct()
                .count();
        long lagMs = 1_000;
        long firstBatchTimestamp = log.compaction().firstBatchTimestamp(0);
        clock.set(firstBatchTimestamp + lagMs + 61_500);
        CleanerSettings settings = new CleanerSettings(0.5, 0, lagMs, 86_400_000L, 1 << 30, 1 << 20);
        LogCleaner cleaner = cleaner(log, settings, SMALL_MAP);
        clock.addAndGet(2_000);
        assertThat(cleaner.stats().timeSinceLastRunMs()).isEqualTo(2_000);

        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner())).isTrue();

        long bytesAfter = log.compaction().inactiveSegments().stream()
                .mapToLong(SegmentInfo::sizeInBytes)
                .sum();
        CleanerStats stats = cleaner.stats();
        assertThat(stats.passes()).isEqualTo(1);
        assertThat(stats.failures()).isZero();
        assertThat(stats.cleanerRecopyPercent()).isEqualTo((int) (100.0 * bytesAfter / bytesBefore));
        assertThat(stats.cleanerRecopyPercent()).isBetween(1, 99);
        assertThat(stats.maxBufferUtilizationPercent()).isEqualTo((int) (100.0 * keys / 300));
        assertThat(stats.maxDirtyPercent()).as("never cleaned: all dirty").isEqualTo(100);
        assertThat(stats.maxCompactionDelaySecs()).isEqualTo(63);
        assertThat(stats.timeSinceLastRunMs()).isZero();
        assertThat(stats.uncleanablePartitionsCount()).isZero();
        assertThat(stats.deadThreadCount()).isZero();

        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner())).isFalse();
        assertThat(cleaner.stats().maxDirtyPercent()).as("nothing chosen").isZero();
        cleaner.close();
        log.close();
    }

    @Test
    @Timeout(60)
    void shouldCountAPartitionWhosePassFailedAsUncleanableWithItsDirtyBytes() throws Exception {
        UnifiedLog log = UnifiedLog.open(logDir.resolve("changelog-1"), CONFIG, clock::get, true, 0);
        KeyedLog writer = new KeyedLog(log);
        // One batch of 40 KB: more than the 100 bytes of max.message.bytes and the cleaner's 32 KB read buffer.
        writer.append(CompressionType.NONE, List.of("big"), List.of("x".repeat(40_000)));
        changelogInto(writer, log);
        long dirtyBytes = log.compaction().inactiveSegments().stream()
                .mapToLong(SegmentInfo::sizeInBytes)
                .sum();
        CleanerSettings tinyMessages = new CleanerSettings(0.5, 0, Long.MAX_VALUE, 86_400_000L, 1 << 30, 100);
        LogCleaner cleaner = cleaner(log, tinyMessages, SMALL_MAP);

        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner())).isTrue();

        CleanerStats stats = cleaner.stats();
        assertThat(stats.passes()).isZero();
        assertThat(stats.failures()).isEqualTo(1);
        assertThat(stats.uncleanablePartitionsCount()).isEqualTo(1);
        assertThat(stats.uncleanableBytes()).isEqualTo(dirtyBytes);
        cleaner.close();
        log.close();
    }

    private LogCleaner cleaner(UnifiedLog log, CleanerSettings settings, CleanerConfig config) {
        CleanableLog target = new CleanableLog(
                new TopicPartitionKey(
                        "changelog",
                        Integer.parseInt(log.dir().getFileName().toString().replace("changelog-", ""))),
                log,
                settings);
        return new LogCleaner(
                config,
                new KafkaCleanerCodec(),
                List.of(logDir),
                a -> a.accept(target),
                KeyedLog.DELETE_NOW,
                clock::get);
    }

    private static KeyedLog changelog(UnifiedLog log) throws Exception {
        KeyedLog writer = new KeyedLog(log);
        changelogInto(writer, log);
        return writer;
    }

    /** 600 batches of 1 to 8 records over 150 keys, acknowledged. */
    private static void changelogInto(KeyedLog writer, UnifiedLog log) throws Exception {
        Random random = new Random(3);
        for (int b = 0; b < 600; b++) {
            List<String> keys = new ArrayList<>();
            List<String> values = new ArrayList<>();
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                keys.add("key-" + random.nextInt(150));
                values.add("value-" + b + "-" + i);
            }
            writer.append(CompressionType.NONE, keys, values);
        }
        writer.acknowledge();
    }
}
