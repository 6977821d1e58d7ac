package io.piste.broker.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.cleaner.CleanableLog;
import io.piste.storage.cleaner.Cleaner;
import io.piste.storage.cleaner.CleanerConfig;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition with 1,000,000 distinct keys (and 200,000 updates) under a 4 MiB dedupe buffer, which maps about
 * 157,000 keys: the cleaner takes several passes, each bounded by the map, never the whole key set in memory, and
 * ends with exactly one record per key, the latest.
 */
class MillionKeysCleanerTest {
    private static final int KEYS = 1_000_000;
    private static final int UPDATED = 200_000;
    private static final int PER_BATCH = 1000;
    private static final long DEDUPE_BUFFER_BYTES = 4L << 20;

    @TempDir
    Path logDir;

    @Test
    @Timeout(120)
    void shouldCleanAMillionKeysInSeveralPassesOfABoundedMap() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000L);
        UnifiedLog log = UnifiedLog.open(
                logDir.resolve("big-0"),
                KeyedLog.compacted(LogConfig.defaults().withSegmentBytes(1 << 20)),
                clock::get,
                true,
                0);
        for (int start = 0; start < KEYS + UPDATED; start += PER_BATCH) {
            log.appendAsLeader(batch(start), 0);
        }
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
        long lastCleanable = log.logEndOffset();
        CleanerSettings settings = new CleanerSettings(0.0, 0, Long.MAX_VALUE, 0, 1 << 20, 1 << 20);
        CleanableLog target = new CleanableLog(new TopicPartitionKey("big", 0), log, settings);
        CleanerConfig config = new CleanerConfig(true, 1, DEDUPE_BUFFER_BYTES, 256 << 10, 0.9, Double.MAX_VALUE, 10);
        LogCleaner cleaner = new LogCleaner(
                config,
                new KafkaCleanerCodec(),
                List.of(logDir),
                a -> a.accept(target),
                KeyedLog.DELETE_NOW,
                clock::get);
        Cleaner pass = cleaner.newCleaner();
        long started = System.nanoTime();
        while (cleaner.cleanFilthiest(pass)) {
            // one pass per round, as the cleaner thread does; the replaced segments go at once (DELETE_NOW)
        }
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        long activeBase = log.compaction().inactiveSegments().isEmpty()
                ? 0
                : log.compaction()
                        .inactiveSegments()
                        .get(log.compaction().inactiveSegments().size() - 1)
                        .nextOffset();
        System.out.println("Million keys: passes=" + cleaner.passes() + " tookMs=" + tookMs + " logBytes="
                + log.sizeInBytes() + " activeSegmentBase=" + activeBase + " logEnd=" + lastCleanable);

        assertThat(cleaner.passes()).isGreaterThan(1);
        assertThat(cleaner.failures()).isZero();
        assertThat(activeBase).as("the active segment holds only updates").isGreaterThan(KEYS);
        long[] count = {0};
        KeyedLog.forEachBatch(log, batch -> {
            for (Record r : batch) {
                int key = Integer.parseInt(KeyedLog.string(r.key()).substring(1));
                if (r.offset() < activeBase) {
                    long latestBelowActive = key < UPDATED && KEYS + key < activeBase ? KEYS + key : key;
                    assertThat(r.offset()).as("key %d", key).isEqualTo(latestBelowActive);
                }
                count[0]++;
            }
        });
        // One record per key below the active segment, which keeps all of its own.
        assertThat(count[0]).isEqualTo(KEYS + (lastCleanable - activeBase));
        cleaner.close();
        log.close();
    }

    /** Records for offsets start..start+999: keys k0..k999999, then updates of k0..k199999. */
    private static ByteBuffer batch(int start) {
        MemoryRecordsBuilder b = new MemoryRecordsBuilder(
                ByteBuffer.allocate(32 * PER_BATCH),
                RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.of(CompressionType.NONE).build(),
                TimestampType.CREATE_TIME,
                0L,
                RecordBatch.NO_TIMESTAMP,
                RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE,
                false,
                false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH,
                Integer.MAX_VALUE);
        for (int i = start; i < start + PER_BATCH; i++) {
            int key = i < KEYS ? i : i - KEYS;
            b.append(1_000L, KeyedLog.bytes("k" + key), KeyedLog.bytes(Integer.toString(i)));
        }
        return b.build().buffer();
    }
}
