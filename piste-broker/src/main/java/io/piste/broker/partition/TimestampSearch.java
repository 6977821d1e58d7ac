package io.piste.broker.partition;

import io.piste.storage.log.BatchLocation;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * The record a ListOffsets by timestamp answers with, inside the batch storage found: storage indexes batches by
 * their max timestamp, the records in one are read here with the kafka-clients codec, which decompresses when it has
 * to. Stateless.
 */
final class TimestampSearch {

    private TimestampSearch() {}

    /**
     * ListOffsets for one partition, as {@link Partition#fetchOffsetForTimestamp} describes, counting only records
     * below {@code bound}; the offsets found come with {@code leaderEpoch}.
     */
    static TimestampAndOffset offsetForTimestamp(UnifiedLog log, long timestamp, long bound, int leaderEpoch)
            throws IOException {
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
                || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            return new TimestampAndOffset(-1, log.logStartOffset(), leaderEpoch);
        } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return new TimestampAndOffset(-1, bound, leaderEpoch);
        } else if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP
                || timestamp == ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
            return TimestampAndOffset.NONE;
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            return found(maxTimestampRecord(log.batchWithMaxTimestamp()), bound, leaderEpoch);
        } else if (timestamp >= 0) {
            return found(firstRecordAtOrAfter(log.findBatchByTimestamp(timestamp), timestamp), bound, leaderEpoch);
        }
        throw new InvalidRequestException("unknown special timestamp in ListOffsets: timestamp=" + timestamp);
    }

    private static TimestampAndOffset found(Record record, long bound, int leaderEpoch) {
        if (record == null || record.offset() >= bound) {
            return TimestampAndOffset.NONE;
        }
        return new TimestampAndOffset(record.timestamp(), record.offset(), leaderEpoch);
    }

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
