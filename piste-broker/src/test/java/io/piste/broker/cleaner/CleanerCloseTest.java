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
    @TempDir
    Path logDir;

    @Test
    @Timeout(60)
    void shouldStopAThrottledPassAtOnceAndLeaveALogThatReopensWhole() throws Exception {
        Path dir = logDir.resolve("changelog-0");
        LogConfig config = KeyedLog.compacted(LogConfig.defaults().withSegmentBytes(8 * 1024));
        UnifiedLog log = UnifiedLog.open(dir, config, System::currentTimeMillis, true, 0);
        KeyedLog writer = new KeyedLog(log);
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
        long logBytes = log.sizeInBytes();
        // 2 KB/s: a pass over this log would take about a minute (it reads it twice and writes it once).
        double bytesPerSecond = 2_000;
        assertThat(logBytes / bytesPerSecond).isGreaterThan(20);
        CleanableLog target =
                new CleanableLog(new TopicPartitionKey("changelog", 0), log, CleanerSettings.compactedDefaults());
        LogCleaner cleaner = new LogCleaner(
                new CleanerConfig(true, 1, 1 << 20, 64 << 10, 0.9, bytesPerSecond, 10),
                new KafkaCleanerCodec(),
                List.of(logDir),
                action -> action.accept(target),
                KeyedLog.DELETE_NOW,
                System::currentTimeMillis);
        cleaner.start();
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (cleaner.throttledMs() == 0 && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        assertThat(cleaner.throttledMs())
                .as("the pass is under way and throttled")
                .isPositive();

        long started = System.nanoTime();
        cleaner.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(closeMs).isLessThan(5_000);
        assertThat(cleaner.passes()).isZero();
        assertThat(filesEndingWith(dir, ".cleaned", ".swap")).isEmpty();
        log.close();
        try (UnifiedLog reopened = UnifiedLog.open(dir, config, System::currentTimeMillis, true, 0)) {
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
}
