package io.piste.broker.partition;

import io.piste.storage.log.BatchLocation;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The record a ListOffsets by timestamp answers with, inside the batch storage found: storage indexes batches by
 * their max timestamp, the records in one are read here with the kafka-clients codec, which decompresses when it has
 * to. Stateless.
 */
final class TimestampSearch {

    private TimestampSearch() {}

    /** The first record of the batch with a timestamp at or after {@code timestamp}, or null. */
    static Record firstRecordAtOrAfter(BatchLocation location, long timestamp) {
        if (location == null) {
            return null;
        }
        for (RecordBatch batch : MemoryRecords.readableRecords(location.batch()).batches()) {
            for (Record record : batch) {
                if (record.timestamp() >= timestamp) {
                    return record;
                }
            }
        }
        return null;
    }

    /** The first record of the batch with its largest timestamp, or null. */
    static Record maxTimestampRecord(BatchLocation location) {
        if (location == null) {
            return null;
        }
        Record best = null;
        for (RecordBatch batch : MemoryRecords.readableRecords(location.batch()).batches()) {
            for (Record record : batch) {
                if (best == null || record.timestamp() > best.timestamp()) {
                    best = record;
                }
            }
        }
        return best;
    }
}
