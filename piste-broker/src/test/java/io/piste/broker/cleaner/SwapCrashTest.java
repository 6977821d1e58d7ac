package io.piste.broker.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.cleaner.KeyedLog.Entry;
import io.piste.storage.checkpoint.DurableDirectories;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.cleaner.CleanableLog;
import io.piste.storage.cleaner.CleanerConfig;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.log.CompactionAccess.SegmentInfo;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import io.piste.storage.sim.SimulatedCrash;
import io.piste.storage.sim.SimulatedDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.record.internal.CompressionType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A power loss at every step of a cleaning pass (writing the cleaned segment, renaming it to .swap, retiring the
 * old segments, renaming the swap files, the checkpoint), on the simulated disk that keeps only what was fsynced
 * (plus a random part of the rest): the log loads with every record a cleaning must keep, at its offset, each one a
 * record that was written there, and nothing past the log end.
 */
class SwapCrashTest {
    private static final LogConfig CONFIG =
            KeyedLog.compacted(LogConfig.defaults().withSegmentBytes(4 * 1024));
    private static final CleanerConfig CLEANER =
            new CleanerConfig(true, 1, 1 << 20, 16 << 10, 0.9, Double.MAX_VALUE, 10);
    private static final CleanerSettings SETTINGS =
            new CleanerSettings(0.0, 0, Long.MAX_VALUE, 86_400_000L, 16 * 1024, 1 << 20);

    @Test
    @Timeout(120)
    void shouldLoadEveryRecordToKeepAfterAPowerLossAtAnyStepOfACleaning() throws Exception {
        int crashes = 0;
        int swapsCompletedAtLoad = 0;
        for (long step = 1; step < 10_000; step++) {
            SimulatedDisk disk = new SimulatedDisk();
            Path logDir = disk.root().resolve("logs");
            Path dir = logDir.resolve("changelog-0");
            DurableDirectories.createDirectories(logDir);
            UnifiedLog log = UnifiedLog.open(dir, CONFIG, () -> 1_000_000L, true, 0);
            KeyedLog writer = write(log);
            List<SegmentInfo> segments = log.compaction().inactiveSegments();
            long firstUncleanable = segments.get(segments.size() - 1).nextOffset();
            long recoveryPoint = log.recoveryPoint();
            CleanableLog target = new CleanableLog(new TopicPartitionKey("changelog", 0), log, SETTINGS);
            LogCleaner cleaner = new LogCleaner(
                    CLEANER,
                    new KafkaCleanerCodec(),
                    List.of(logDir),
                    a -> a.accept(target),
                    KeyedLog.DELETE_NOW,
                    () -> 1_000_000L);

            disk.crashAtStep(disk.steps() + step);
            boolean crashed = false;
            try {
                assertThat(cleaner.cleanFilthiest(cleaner.newCleaner())).isTrue();
            } catch (SimulatedCrash e) {
                crashed = true;
            }
            if (crashed) {
                disk.powerLoss(new Random(step));
                crashes++;
                swapsCompletedAtLoad += swapFiles(dir) > 0 ? 1 : 0;
            } else {
                disk.crashAtStep(Long.MAX_VALUE);
                cleaner.close();
                log.close();
            }
            UnifiedLog reopened = UnifiedLog.open(dir, CONFIG, () -> 1_000_000L, !crashed, recoveryPoint);
            List<Entry> loaded = KeyedLog.readAll(reopened);
            checkKeepsWhatMustStay(writer, loaded, firstUncleanable, "step " + step);
            assertThat(reopened.logEndOffset()).isEqualTo(writer.written.size());
            assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(".swap") || n.endsWith(".cleaned"));
            reopened.close();
            if (!crashed) {
                assertThat(loaded)
                        .as("a pass that completed compacted the log")
                        .hasSizeLessThan(writer.written.size() / 2);
                break;
            }
        }
        System.out.println("Swap crash test: crashes=" + crashes + " swapsCompletedAtLoad=" + swapsCompletedAtLoad);
        assertThat(crashes).isGreaterThan(10);
        assertThat(swapsCompletedAtLoad)
                .as("crashes that left a .swap for the load to complete")
                .isPositive();
    }

    private static long swapFiles(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log.swap"))
                    .count();
        }
    }

    /** Every record loaded was written at its offset; every latest record of a key, and all from the end, is there. */
    private static void checkKeepsWhatMustStay(KeyedLog writer, List<Entry> loaded, long end, String when) {
        Map<Long, Entry> byOffset = new HashMap<>();
        for (Entry e : writer.written) {
            byOffset.put(e.offset(), e);
        }
        long previous = -1;
        for (Entry e : loaded) {
            assertThat(e).as(when).isEqualTo(byOffset.get(e.offset()));
            assertThat(e.offset()).as(when).isGreaterThan(previous);
            previous = e.offset();
        }
        List<Entry> mustStay = new ArrayList<>(writer.latestBelow(end).values());
        for (Entry e : writer.written) {
            if (e.offset() >= end) {
                mustStay.add(e);
            }
        }
        assertThat(loaded).as(when).containsAll(mustStay);
    }

    private static KeyedLog write(UnifiedLog log) throws Exception {
        KeyedLog writer = new KeyedLog(log);
        Random random = new Random(7);
        CompressionType[] codecs = {CompressionType.NONE, CompressionType.LZ4};
        for (int b = 0; b < 120; b++) {
            List<String> ks = new ArrayList<>();
            List<String> vs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ks.add("key-" + random.nextInt(30));
                vs.add(random.nextInt(8) == 0 ? null : "value-" + b + "-" + i);
            }
            writer.append(codecs[b % 2], ks, vs);
        }
        writer.acknowledge();
        return writer;
    }
}
