package io.piste.broker.cleaner;

import io.piste.storage.cleaner.CleanerCodec;
import java.nio.ByteBuffer;
import java.util.Iterator;
import org.apache.kafka.common.record.internal.ControlRecordType;
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
 * copied byte for byte; an emptied batch the rules retain keeps its header only. Transactions as Kafka's cleaner: a
 * batch the rules discard (an aborted transaction's) goes whole; a marker they discard (its transaction has no data
 * left) gets a delete horizon at the first cleaning and goes at the first one past it. Confined to one cleaner thread (its
 * decompression buffers).
 */
public final class KafkaCleanerCodec implements CleanerCodec {
    private final BufferSupplier decompression = BufferSupplier.create();

    @Override
    public int scanKeys(ByteBuffer src, KeyVisitor visitor) {
        int read = 0;
        for (MutableRecordBatch batch :
                MemoryRecords.readableRecords(src.duplicate()).batches()) {
            boolean wanted =
                    visitor.onBatch(batch.producerId(), batch.lastOffset(), batch.isTransactional(), kindOf(batch));
            if (wanted && !batch.isControlBatch()) {
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

    /** A control batch's kind is its first record's key (Kafka's ControlRecordType); an emptied one has none. */
    private static BatchKind kindOf(RecordBatch batch) {
        if (!batch.isControlBatch()) {
            return BatchKind.DATA;
        }
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return BatchKind.OTHER_CONTROL;
        }
        return switch (ControlRecordType.parse(records.next().key())) {
            case COMMIT -> BatchKind.COMMIT;
            case ABORT -> BatchKind.ABORT;
            default -> BatchKind.OTHER_CONTROL;
        };
    }

    @Override
    public Filtered filter(ByteBuffer src, Rules rules, ByteBuffer dest) {
        RecordFilter filter = new RecordFilter(rules.nowMs(), rules.deleteRetentionMs()) {
            /** Whether the records of the batch being filtered all go (set for each batch before its records). */
            private boolean discardRecords;

            @Override
            protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
                BatchFate fate = rules.checkBatch(
                        batch.producerId(), batch.lastOffset(), batch.isTransactional(), kindOf(batch));
                // A marker whose transaction has no data left goes once past its delete horizon; the first cleaning
                // that sees it sets the horizon (filterTo does, told by the result's second field), as for tombstones.
                discardRecords = batch.isControlBatch() ? fate.discard() && horizonPassed(batch) : fate.discard();
                BatchRetention retention = fate.retainEmpty()
                        ? BatchRetention.RETAIN_EMPTY
                        : discardRecords ? BatchRetention.DELETE : BatchRetention.DELETE_EMPTY;
                return new BatchRetentionResult(retention, fate.discard() && batch.isControlBatch());
            }

            private boolean horizonPassed(RecordBatch batch) {
                return batch.deleteHorizonMs().isPresent()
                        && batch.deleteHorizonMs().getAsLong() <= currentTime;
            }

            @Override
            protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
                if (discardRecords) {
                    return false;
                }
                if (batch.isControlBatch()) {
                    return true;
                }
                return rules.keepRecord(
                        record.hasKey() ? record.key() : null,
                        record.offset(),
                        record.hasValue(),
                        horizonPassed(batch));
            }
        };
        MemoryRecords.FilterResult result =
                MemoryRecords.readableRecords(src.duplicate()).filterTo(filter, dest, decompression, Integer.MAX_VALUE);
        ByteBuffer out = result.outputBuffer();
        out.flip();
        return new Filtered(result.bytesRead(), out);
    }
}
