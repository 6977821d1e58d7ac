package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.cleaner.KafkaCleanerCodec;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.cleaner.CleanableLog;
import io.piste.storage.cleaner.CleanerConfig;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.log.LogCleanupConfig;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.SegmentDeleter;
import io.piste.storage.log.UnifiedLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code __consumer_offsets} after the cleaner: many commits of the same group partitions, then tombstones of the
 * deleted ones, compacted; the load replays about one record per live offset (not every commit ever made) and finds
 * exactly the latest commit of each live group partition and none of the deleted ones.
 */
class CompactedOffsetsLoadTest {
    private static final int GROUPS = 40;
    private static final int PARTITIONS = 4;
    private static final int ROUNDS = 30;

    @TempDir
    Path logDir;

    @Test
    @Timeout(60)
    void shouldLoadTheLatestCommitsAndNoDeletedOnesAfterCompaction() throws Exception {
        UnifiedLog log = UnifiedLog.open(
                logDir.resolve("__consumer_offsets-0"),
                LogConfig.defaults()
                        .withSegmentBytes(16 * 1024)
                        .withCleanup(LogCleanupConfig.defaults().withPolicy(false, true)),
                () -> 1_000L,
                true,
                0);
        Map<String, Map<TopicPartition, CommittedOffset>> expected = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int g = 0; g < GROUPS; g++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    TopicPartition tp = new TopicPartition("data", p);
                    CommittedOffset offset = new CommittedOffset(round * 100L + p, 0, "m", 1);
                    append(log, OffsetRecordCodec.key("g" + g, tp), OffsetRecordCodec.value(offset));
                    expected.computeIfAbsent("g" + g, k -> new HashMap<>()).put(tp, offset);
                }
            }
        }
        for (int g = 0; g < GROUPS; g += 4) { // deleted groups: a tombstone for each of their offsets
            for (int p = 0; p < PARTITIONS; p++) {
                append(log, OffsetRecordCodec.key("g" + g, new TopicPartition("data", p)), null);
            }
            expected.remove("g" + g);
        }
        // More commits of the live groups, so that the tombstones are below the active segment.
        for (int g = 1; g < GROUPS; g += 2) {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition("data", p);
                CommittedOffset offset = new CommittedOffset(9_000L + p, 0, "m", 1);
                append(log, OffsetRecordCodec.key("g" + g, tp), OffsetRecordCodec.value(offset));
                expected.get("g" + g).put(tp, offset);
            }
        }
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
        long written = log.logEndOffset();
        CleanableLog target =
                new CleanableLog(new TopicPartitionKey(OffsetsTopic.NAME, 0), log, CleanerSettings.compactedDefaults());
        LogCleaner cleaner = new LogCleaner(
                new CleanerConfig(true, 1, 1 << 20, 64 << 10, 0.9, Double.MAX_VALUE, 10),
                new KafkaCleanerCodec(),
                List.of(logDir),
                a -> a.accept(target),
                new SegmentDeleter((task, delayMs) -> task.run()),
                () -> 1_000L);
        assertThat(cleaner.cleanFilthiest(cleaner.newCleaner())).isTrue();

        GroupOffsets offsets = new GroupOffsets((group, producerId, epoch, commit, done) -> {}, g -> 0);
        OffsetsTopicLoader loader = new OffsetsTopicLoader(0, offsets, new OffsetsTopic.LoadedGroups());
        loader.load(new UnifiedLogSource(log), 1 << 20);

        assertThat(loader.skips()).isZero();
        assertThat(loader.recordsLoaded()).isLessThan(written / 5);
        assertThat(offsets.groupIds()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Map<TopicPartition, CommittedOffset>> e : expected.entrySet()) {
            assertThat(offsets.fetch(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        cleaner.close();
        log.close();
    }

    private static void append(UnifiedLog log, byte[] key, byte[] value) throws Exception {
        MemoryRecordsBuilder builder =
                MemoryRecords.builder(ByteBuffer.allocate(1024), Compression.NONE, TimestampType.CREATE_TIME, 0L);
        builder.append(1L, key, value);
        log.appendAsLeader(builder.build().buffer(), 0);
    }
}
