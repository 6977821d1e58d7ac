package io.piste.broker.cleaner;

import io.piste.storage.cleaner.CleanerCodec;
import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetention;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * The cleaner's record codec, kafka-clients' own: keys are read from batches of any codec, and a batch is rewritten
 * by {@link MemoryRecords#filterTo}, the method Kafka's cleaner uses. So, as in Kafka, a batch keeps its compression
 * codec (at the codec's default level), producer id, epoch and base sequence, base offset and last offset (the last
 * sequence survives), and timestamp type; a batch keeping tombstones gets its delete horizon
 * ({@code now + delete.retention.ms}) the first time a cleaning sees it (KIP-534); a batch with nothing to remove is
 * copied byte for byte; an emptied batch the rules retain keeps its header only. Confined to one cleaner thread (its
 * decompression buffers).
 */
public final class KafkaCleanerCodec implements CleanerCodec {
    private final BufferSupplier decompression = BufferSupplier.create();

    @Override
    public int scanKeys(ByteBuffer src, KeyVisitor visitor) {
        int read = 0;
        for (MutableRecordBatch batch :
                MemoryRecords.readableRecords(src.duplicate()).batches()) {
            if (!batch.isControlBatch()) {
                try (CloseableIterator<Record> records = batch.streamingIterator(decompression)) {
                    while (records.hasNext()) {
                        Record record = records.next();
                        if (!visitor.onRecord(record.hasKey() ? record.key() : null, record.offset())) {
                            return read;
                        }
                    }
                }
            }
            read += batch.sizeInBytes();
        }
        return read;
    }

    @Override
    public Filtered filter(ByteBuffer src, Rules rules, ByteBuffer dest) {
        RecordFilter filter = new RecordFilter(rules.nowMs(), rules.deleteRetentionMs()) {
            @Override
            protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
                boolean retain = rules.retainEmpty(batch.producerId(), batch.lastOffset(), batch.isControlBatch());
                return new BatchRetentionResult(
                        retain ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY, false);
            }

            @Override
            protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
                if (batch.isControlBatch()) {
                    return true; // TODO(transactions issue): markers of finished transactions, as Kafka's cleaner
                }
                boolean horizonPassed = batch.deleteHorizonMs().isPresent()
                        && batch.deleteHorizonMs().getAsLong() <= currentTime;
                return rules.keepRecord(
                        record.hasKey() ? record.key() : null, record.offset(), record.hasValue(), horizonPassed);
            }
        };
        MemoryRecords.FilterResult result =
                MemoryRecords.readableRecords(src.duplicate()).filterTo(filter, dest, decompression, Integer.MAX_VALUE);
        ByteBuffer out = result.outputBuffer();
        out.flip();
        return new Filtered(result.bytesRead(), out);
    }
}
