package io.piste.broker.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.cleaner.KeyedLog.Entry;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.cleaner.CleanableLog;
import io.piste.storage.cleaner.CleanerConfig;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.CompressionType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the cleaner while a throttled pass runs: the close returns long before the pass would have ended, the pass
 * leaves no {@code .cleaned} or {@code .swap} file, and the log reopens with every key's latest record.
 */
class CleanerCloseTest {
    private static final LogConfig CONFIG =
            KeyedLog.compacted(LogConfig.defaults().withSegmentBytes(8 * 1024));

    @TempDir
    Path logDir;

    private UnifiedLog log;
    private KeyedLog writer;

    /** A changelog of 600 batches over 100 keys, acknowledged, and a cleaner over it at {@code bytesPerSecond}. */
    private LogCleaner throttledCleanerOverAChangelog(Path partitionDir, double bytesPerSecond) throws Exception {
        log = UnifiedLog.open(partitionDir, CONFIG, System::currentTimeMillis, true, 0);
        writer = new KeyedLog(log);
        Random random = new Random(7);
        for (int b = 0; b < 600; b++) {
            List<String> keys = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                keys.add("key-" + random.nextInt(100));
                values.add("value-" + b + "-" + i);
            }
            writer.append(CompressionType.NONE, keys, values);
        }
        writer.acknowledge();
        // a pass reads the log twice and writes it once: at this rate it would take more than 20 s
        assertThat(log.sizeInBytes() / bytesPerSecond).isGreaterThan(20);
        CleanableLog target =
                new CleanableLog(new TopicPartitionKey("changelog", 0), log, CleanerSettings.compactedDefaults());
        return new LogCleaner(
                new CleanerConfig(true, 1, 1 << 20, 64 << 10, 0.9, bytesPerSecond, 10),
                new KafkaCleanerCodec(),
                List.of(logDir),
                action -> action.accept(target),
                KeyedLog.DELETE_NOW,
                System::currentTimeMillis);
    }

    private static void awaitThrottled(LogCleaner cleaner) throws InterruptedException {
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (cleaner.throttledMs() == 0 && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        assertThat(cleaner.throttledMs())
                .as("the pass is under way and throttled")
                .isPositive();
    }

    @Test
    @Timeout(60)
    void shouldStopAThrottledPassAtOnceAndLeaveALogThatReopensWhole() throws Exception {
        Path dir = logDir.resolve("changelog-0");
        LogCleaner cleaner = throttledCleanerOverAChangelog(dir, 2_000);
        cleaner.start();
        awaitThrottled(cleaner);

        long started = System.nanoTime();
        cleaner.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(closeMs).isLessThan(5_000);
        assertThat(cleaner.passes()).isZero();
        assertThat(filesEndingWith(dir, ".cleaned", ".swap")).isEmpty();
        log.close();
        try (UnifiedLog reopened = UnifiedLog.open(dir, CONFIG, System::currentTimeMillis, true, 0)) {
            List<Entry> read = KeyedLog.readAll(reopened);
            assertThat(writer.written).containsAll(read);
            Map<String, Entry> latest = writer.latestBelow(Long.MAX_VALUE);
            assertThat(read).containsAll(latest.values());
            assertThat(reopened.logEndOffset()).isEqualTo(log.logEndOffset());
        }
    }

    private static List<String> filesEndingWith(Path dir, String... suffixes) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> Stream.of(suffixes).anyMatch(n::endsWith))
                    .toList();
        }
    }

    @Test
    @Timeout(60)
    void shouldTakeANewIoRateInAPassUnderWayAndRestartItsThreadsForANewCount() throws Exception {
        LogCleaner cleaner = throttledCleanerOverAChangelog(logDir.resolve("changelog-0"), 2_000);
        cleaner.start();
        awaitThrottled(cleaner);

        CleanerConfig unthrottled = new CleanerConfig(true, 1, 1 << 20, 64 << 10, 0.9, Double.MAX_VALUE, 10);
        cleaner.reconfigure(unthrottled);

        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (cleaner.passes() == 0 && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        assertThat(cleaner.passes()).as("the pass ended at the new rate").isEqualTo(1);
        List<Entry> expected =
                new ArrayList<>(writer.latestBelow(Long.MAX_VALUE).values());
        assertThat(KeyedLog.readAll(log)).containsAll(expected).hasSizeLessThan(writer.written.size() / 2);

        cleaner.reconfigure(new CleanerConfig(true, 2, 4 << 20, 64 << 10, 0.9, Double.MAX_VALUE, 10));
        assertThat(cleaner.aliveThreads()).isEqualTo(2);
        cleaner.reconfigure(new CleanerConfig(true, 1, 4 << 20, 64 << 10, 0.9, Double.MAX_VALUE, 10));
        assertThat(cleaner.aliveThreads()).isEqualTo(1);
        cleaner.close();
        assertThat(cleaner.aliveThreads()).isZero();
        log.close();
    }
}
