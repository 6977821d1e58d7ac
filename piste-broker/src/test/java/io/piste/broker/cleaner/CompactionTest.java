package io.piste.broker.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.cleaner.KeyedLog.Batch;
import io.piste.broker.cleaner.KeyedLog.Entry;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.cleaner.CleanableLog;
import io.piste.storage.cleaner.Cleaner;
import io.piste.storage.cleaner.CleanerConfig;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.log.CompactionAccess.SegmentInfo;
import io.piste.storage.log.LogCleanupConfig;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.record.internal.CompressionType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a real log by the cleaner with kafka-clients' codec: a keyed changelog with updates and tombstones
 * in batches of every codec keeps exactly the latest record of each key (computed from what was written, not by the
 * cleaner's code), at its offset, in a batch with its original codec, offsets and producer fields; tombstones go once
 * delete.retention.ms has passed since the cleaning that saw them; the active segment and the min compaction lag are
 * respected.
 */
class CompactionTest {
    private static final CompressionType[] CODECS = {
        CompressionType.NONE, CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD
    };
    private static final CleanerConfig CONFIG =
            new CleanerConfig(true, 1, 1 << 20, 64 << 10, 0.9, Double.MAX_VALUE, 10);

    @TempDir
    Path logDir;

    private final AtomicLong clock = new AtomicLong(1_000_000L);

    @Test
    @Timeout(60)
    void shouldKeepExactlyTheLatestRecordOfEachKeyWithItsOffsetCodecAndProducer() throws Exception {
        UnifiedLog log = open();
        KeyedLog writer = writeChangelog(log, 600, 150);
        List<SegmentInfo> segments = log.compaction().inactiveSegments();
        assertThat(segments).hasSizeGreaterThan(3);
        long firstUncleanable = segments.get(segments.size() - 1).nextOffset();
        CleanerSettings settings = CleanerSettings.compactedDefaults();
        LogCleaner cleaner = cleaner(log, settings);

        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner())).isTrue();

        List<Entry> expected = expected(writer, firstUncleanable, true);
        assertThat(KeyedLog.readAll(log)).containsExactlyElementsOf(expected);
        assertThat(expected.size()).isLessThan(writer.written.size() / 2);
        assertThat(expected).anyMatch(e -> e.value() == null && e.offset() < firstUncleanable);
        for (Batch batch : KeyedLog.readBatches(log)) {
            assertThat(batch).isEqualTo(writer.batchesWritten.get(batch.baseOffset()));
        }
        assertThat(KeyedLog.readBatches(log)).extracting(Batch::codec).contains(CODECS);
        assertThat(Files.readAllLines(logDir.resolve("cleaner-offset-checkpoint")))
                .contains("changelog 0 " + firstUncleanable);
        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner()))
                .as("nothing dirty left")
                .isFalse();

        // Within delete.retention.ms of the cleaning that saw them, tombstones stay; after it, they go.
        Cleaner pass = cleaner.newCleaner();
        clock.addAndGet(settings.deleteRetentionMs() - 1);
        pass.clean(log.compaction(), firstUncleanable, firstUncleanable, settings, KeyedLog.DELETE_NOW);
        assertThat(KeyedLog.readAll(log)).containsExactlyElementsOf(expected);
        clock.addAndGet(1);
        pass.clean(log.compaction(), firstUncleanable, firstUncleanable, settings, KeyedLog.DELETE_NOW);
        assertThat(KeyedLog.readAll(log)).containsExactlyElementsOf(expected(writer, firstUncleanable, false));
        assertThat(log.logEndOffset()).isEqualTo(writer.written.size());
        cleaner.close();
        log.close();

        UnifiedLog reopened = UnifiedLog.open(logDir.resolve("changelog-0"), config(), clock::get, true, 0);
        assertThat(KeyedLog.readAll(reopened)).containsExactlyElementsOf(expected(writer, firstUncleanable, false));
        reopened.close();
    }

    @Test
    @Timeout(60)
    void shouldLeaveRecordsNewerThanTheMinCompactionLagAndTheActiveSegment() throws Exception {
        UnifiedLog log = open();
        KeyedLog writer = writeChangelog(log, 300, 20);
        CleanerSettings lagged = new CleanerSettings(0.5, 3_600_000L, Long.MAX_VALUE, 86_400_000L, 1 << 30, 1 << 20);
        LogCleaner cleaner = cleaner(log, lagged);

        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner()))
                .as("every record is newer than the lag")
                .isFalse();
        assertThat(KeyedLog.readAll(log)).containsExactlyElementsOf(writer.written);
        cleaner.close();
        log.close();
    }

    @Test
    @Timeout(60)
    void shouldCleanOnlyAboveTheDirtyRatioUnlessTheMaxCompactionLagHasPassed() throws Exception {
        UnifiedLog log = open();
        KeyedLog writer = writeChangelog(log, 400, 20);
        AtomicReference<CleanerSettings> settings =
                new AtomicReference<>(new CleanerSettings(0.9, 0, Long.MAX_VALUE, 86_400_000L, 1 << 30, 1 << 20));
        LogCleaner cleaner = new LogCleaner(
                CONFIG,
                new KafkaCleanerCodec(),
                List.of(logDir),
                a -> a.accept(new CleanableLog(new TopicPartitionKey("changelog", 0), log, settings.get())),
                KeyedLog.DELETE_NOW,
                clock::get);
        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner()))
                .as("all dirty: ratio 1")
                .isTrue();
        // A little more, until one more segment is rolled: dirty, but a low dirty ratio.
        int inactive = log.compaction().inactiveSegments().size();
        for (int i = 0; log.compaction().inactiveSegments().size() == inactive; i++) {
            writer.append(CompressionType.NONE, List.of("key-" + i % 20, "key-x"), List.of("late-" + i, "x"));
        }
        writer.acknowledge();

        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner()))
                .as("below min.cleanable.dirty.ratio")
                .isFalse();
        clock.addAndGet(3_600_000L);
        settings.set(new CleanerSettings(0.9, 0, 60_000L, 86_400_000L, 1 << 30, 1 << 20));
        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner()))
                .as("overdue by max.compaction.lag.ms")
                .isTrue();
        long end = log.compaction()
                .inactiveSegments()
                .get(log.compaction().inactiveSegments().size() - 1)
                .nextOffset();
        assertThat(KeyedLog.readAll(log)).containsExactlyElementsOf(expected(writer, end, true));
        cleaner.close();
        log.close();
    }

    @Test
    @Timeout(60)
    void shouldKeepTheCleanersIoWithinLogCleanerIoMaxBytesPerSecond() throws Exception {
        UnifiedLog log = open();
        writeChangelog(log, 600, 150);
        List<SegmentInfo> segments = log.compaction().inactiveSegments();
        long end = segments.get(segments.size() - 1).nextOffset();
        double bytesPerSecond = 100_000;
        LogCleaner cleaner = new LogCleaner(
                new CleanerConfig(true, 1, 1 << 20, 64 << 10, 0.9, bytesPerSecond, 10),
                new KafkaCleanerCodec(),
                List.of(logDir),
                a -> {},
                KeyedLog.DELETE_NOW,
                clock::get);

        long started = System.nanoTime();
        Cleaner.Result result = cleaner.newCleaner()
                .clean(log.compaction(), 0, end, CleanerSettings.compactedDefaults(), KeyedLog.DELETE_NOW);
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        long ioBytes = result.bytesRead() + result.bytesWritten();
        assertThat(ioBytes).isGreaterThan(40_000);
        assertThat(cleaner.throttledMs()).isPositive();
        // A lower bound only: the throttle may sleep more on a busy machine, never less.
        assertThat(tookMs).isGreaterThanOrEqualTo((long) (ioBytes / bytesPerSecond * 1000 * 0.8) - 100);
        cleaner.close();
        log.close();
    }

    @Test
    @Timeout(60)
    void shouldLetRetentionDeleteAndTheCleanerCompactWithCompactDeleteButOnlyCompactWithCompact() throws Exception {
        for (boolean delete : new boolean[] {true, false}) {
            LogConfig config = config().withCleanup(LogCleanupConfig.defaults().withPolicy(delete, true));
            int partition = delete ? 1 : 2;
            UnifiedLog log = UnifiedLog.open(logDir.resolve("changelog-" + partition), config, clock::get, true, 0);
            KeyedLog writer = writeChangelog(log, 600, 150);
            // retention.bytes: about half the log, so that retention (with delete) takes the oldest segments.
            log.updateConfig(config.withCleanup(config.cleanup().withRetentionBytes(log.sizeInBytes() / 2)));

            assertThat(log.retention().applyRetention(clock.get())).isEqualTo(delete);
            int deleted = log.retention().deleteSegmentsBelowLogStart(KeyedLog.DELETE_NOW);
            long logStart = log.logStartOffset();
            assertThat(deleted > 0).as("segments deleted by retention").isEqualTo(delete);
            assertThat(logStart > 0).isEqualTo(delete);

            List<SegmentInfo> segments = log.compaction().inactiveSegments();
            long firstUncleanable = segments.get(segments.size() - 1).nextOffset();
            LogCleaner cleaner = cleaner(partition, log, CleanerSettings.compactedDefaults());
            assertThat(cleaner.cleanFilthiest(cleaner.newCleaner())).isTrue();

            // The latest record of each key from the log start on; nothing below it comes back; the start stays.
            List<Entry> expected = new ArrayList<>();
            Map<String, Entry> latest = new HashMap<>();
            for (Entry e : writer.written) {
                if (e.offset() >= logStart && e.offset() < firstUncleanable) {
                    latest.put(e.key(), e);
                }
            }
            expected.addAll(latest.values());
            expected.sort(Comparator.comparingLong(Entry::offset));
            writer.written.stream().filter(e -> e.offset() >= firstUncleanable).forEach(expected::add);
            assertThat(KeyedLog.readAll(log)).containsExactlyElementsOf(expected);
            assertThat(log.logStartOffset()).isEqualTo(logStart);
            assertThat(log.compaction().inactiveSegments().get(0).baseOffset()).isEqualTo(logStart);
            cleaner.close();
            log.close();
        }
    }

    private UnifiedLog open() throws Exception {
        return UnifiedLog.open(logDir.resolve("changelog-0"), config(), clock::get, true, 0);
    }

    private static LogConfig config() {
        return KeyedLog.compacted(LogConfig.defaults().withSegmentBytes(8 * 1024));
    }

    /** Batches of 1 to 8 records over {@code keys} keys, every codec in turn, one value in ten a tombstone. */
    private KeyedLog writeChangelog(UnifiedLog log, int batches, int keys) throws Exception {
        KeyedLog writer = new KeyedLog(log).idempotent(7);
        Random random = new Random(42);
        for (int b = 0; b < batches; b++) {
            List<String> ks = new ArrayList<>();
            List<String> vs = new ArrayList<>();
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                ks.add("key-" + random.nextInt(keys));
                vs.add(random.nextInt(10) == 0 ? null : "value-" + b + "-" + i);
            }
            writer.append(CODECS[b % CODECS.length], ks, vs);
        }
        writer.acknowledge();
        return writer;
    }

    /** The latest record per key below {@code end} (tombstones too if asked), then everything from {@code end}. */
    private static List<Entry> expected(KeyedLog writer, long end, boolean withTombstones) {
        List<Entry> result = new ArrayList<>();
        for (Entry e : writer.latestBelow(end).values()) {
            if (withTombstones || e.value() != null) {
                result.add(e);
            }
        }
        result.sort(Comparator.comparingLong(Entry::offset));
        for (Entry e : writer.written) {
            if (e.offset() >= end) {
                result.add(e);
            }
        }
        return result;
    }

    private LogCleaner cleaner(UnifiedLog log, CleanerSettings settings) {
        return cleaner(0, log, settings);
    }

    private LogCleaner cleaner(int partition, UnifiedLog log, CleanerSettings settings) {
        CleanableLog target = new CleanableLog(new TopicPartitionKey("changelog", partition), log, settings);
        return new LogCleaner(
                CONFIG,
                new KafkaCleanerCodec(),
                List.of(logDir),
                action -> action.accept(target),
                KeyedLog.DELETE_NOW,
                clock::get);
    }
}
