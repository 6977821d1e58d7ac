package io.piste.broker.handler;

import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Kafka's check of a produce to a compacted topic (LogValidator): every record must have a key, else the batch is
 * refused whole with INVALID_RECORD, since the cleaner could not keep or drop a record without one. Reads the
 * records, decompressing if needed; only for compacted topics. A batch that fails its CRC is left to the log's
 * validation (CORRUPT_MESSAGE). Stateless.
 */
final class KeyedRecordsCheck {

    private KeyedRecordsCheck() {}

    /** Why the batches in {@code records} may not go to a compacted topic, or null if every record has a key. */
    static String missingKey(ByteBuffer records, String topicPartition) {
        try {
            for (MutableRecordBatch batch :
                    MemoryRecords.readableRecords(records.duplicate()).batches()) {
                if (!batch.isValid()) {
                    return null;
                }
                try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
                    while (it.hasNext()) {
                        if (!it.next().hasKey()) {
                            return "Compacted topic cannot accept message without key in topic partition "
                                    + topicPartition + ".";
                        }
                    }
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "records of topic partition " + topicPartition + " do not decode: " + e.getMessage();
        }
    }
}
