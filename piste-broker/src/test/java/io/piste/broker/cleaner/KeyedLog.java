package io.piste.broker.cleaner;

import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.log.LogCleanupConfig;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.SegmentDeleter;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Test support: writes keyed records to a real log with kafka-clients' builder and remembers what it wrote (the
 * independent truth the cleaned log is checked against); reads a log back record by record.
 */
final class KeyedLog {
    /** One record as written or read: its offset, key and value (null: a tombstone). */
    record Entry(long offset, String key, String value) {}

    /** A batch as written or read. */
    record Batch(
            long baseOffset, long lastOffset, CompressionType codec, long producerId, short epoch, int baseSequence) {}

    /** A deleter that removes replaced segments at once (no reader holds them in these tests). */
    static final SegmentDeleter DELETE_NOW = new SegmentDeleter((task, delayMs) -> task.run());

    /** {@code config} with {@code cleanup.policy=compact}: what the cleaner looks for in a log's config. */
    static LogConfig compacted(LogConfig config) {
        return config.withCleanup(LogCleanupConfig.defaults().withPolicy(false, true));
    }

    final List<Entry> written = new ArrayList<>();
    final Map<Long, Batch> batchesWritten = new HashMap<>();
    private final UnifiedLog log;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private int sequence;
    private long timestampMs = 1_000_000L;

    KeyedLog(UnifiedLog log) {
        this.log = log;
    }

    KeyedLog idempotent(long id) {
        producerId = id;
        return this;
    }

    /** Appends one batch of {@code keys} and {@code values} (null: tombstone) with {@code codec}. */
    void append(CompressionType codec, List<String> keys, List<String> values) throws IOException {
        MemoryRecordsBuilder b = new MemoryRecordsBuilder(
                ByteBuffer.allocate(1024 + 64 * keys.size()),
                RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.of(codec).build(),
                TimestampType.CREATE_TIME,
                0L,
                RecordBatch.NO_TIMESTAMP,
                producerId,
                producerId < 0 ? RecordBatch.NO_PRODUCER_EPOCH : 0,
                producerId < 0 ? RecordBatch.NO_SEQUENCE : sequence,
                false,
                false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH,
                Integer.MAX_VALUE);
        for (int i = 0; i < keys.size(); i++) {
            b.append(timestampMs++, bytes(keys.get(i)), values.get(i) == null ? null : bytes(values.get(i)));
        }
        ByteBuffer buf = b.build().buffer();
        long first = log.appendAsLeader(buf, 0).firstOffset();
        for (int i = 0; i < keys.size(); i++) {
            written.add(new Entry(first + i, keys.get(i), values.get(i)));
        }
        batchesWritten.put(
                first,
                new Batch(
                        first,
                        first + keys.size() - 1,
                        codec,
                        producerId,
                        (short) (producerId < 0 ? -1 : 0),
                        producerId < 0 ? -1 : sequence));
        if (producerId >= 0) {
            sequence += keys.size();
        }
    }

    /** Flushes and moves the high watermark to the log end, as a durable produce would. */
    void acknowledge() throws IOException {
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
    }

    /** The latest entry of each key among those written below {@code endOffset}: what a cleaning keeps. */
    Map<String, Entry> latestBelow(long endOffset) {
        Map<String, Entry> latest = new HashMap<>();
        for (Entry e : written) {
            if (e.offset() < endOffset) {
                latest.put(e.key(), e);
            }
        }
        return latest;
    }

    /** Every record in {@code log}, in offset order. */
    static List<Entry> readAll(UnifiedLog log) throws IOException {
        List<Entry> result = new ArrayList<>();
        forEachBatch(log, batch -> {
            for (Record r : batch) {
                result.add(new Entry(r.offset(), string(r.key()), r.hasValue() ? string(r.value()) : null));
            }
        });
        return result;
    }

    /** Every batch header in {@code log}, in offset order. */
    static List<Batch> readBatches(UnifiedLog log) throws IOException {
        List<Batch> result = new ArrayList<>();
        forEachBatch(
                log,
                b -> result.add(new Batch(
                        b.baseOffset(),
                        b.lastOffset(),
                        b.compressionType(),
                        b.producerId(),
                        b.producerEpoch(),
                        b.baseSequence())));
        return result;
    }

    interface BatchAction {
        void accept(MutableRecordBatch batch) throws IOException;
    }

    static void forEachBatch(UnifiedLog log, BatchAction action) throws IOException {
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            FetchDataInfo data = log.read(next, 1 << 20, Long.MAX_VALUE, true);
            if (data.isEmpty()) {
                break;
            }
            ByteBuffer buf = ByteBuffer.allocate(data.sizeInBytes());
            while (buf.hasRemaining() && data.channel().read(buf, data.position() + buf.position()) > 0) {
                // reads until the slice is whole
            }
            buf.flip();
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(buf).batches()) {
                if (!batch.isValid()) {
                    throw new AssertionError("batch fails its CRC at offset " + batch.baseOffset());
                }
                action.accept(batch);
                next = batch.nextOffset();
            }
        }
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String string(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.UTF_8);
    }
}
