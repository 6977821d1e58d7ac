package io.piste.storage.record;

import io.piste.storage.errors.BatchTooLargeException;
import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.InvalidRecordException;

/**
 * Structural checks of one v2 batch: sizes, magic, CRC32C, record count against offset delta and, uncompressed,
 * against the bytes present, and (for batches from clients) no control batches. Never decompresses. Stateless
 * and thread-safe.
 */
public final class BatchValidator {
    /**
     * The smallest v2 record: six one-byte varints (length, timestamp delta, offset delta, key length, value
     * length, header count) and the attributes byte.
     */
    static final int MIN_RECORD_BYTES = 7;

    private BatchValidator() {}

    /** Checks a batch received from a client; {@code remaining} is the number of readable bytes from its start. */
    public static void validate(RecordBatchView b, int remaining, int maxBatchBytes) {
        validate(b, remaining, maxBatchBytes, true);
    }

    /**
     * Checks a batch. Batches read back from our own log ({@code fromClient == false}) may be control batches and,
     * after compaction, may hold fewer records than their offset span, so those two checks are skipped.
     */
    public static void validate(RecordBatchView b, int remaining, int maxBatchBytes, boolean fromClient) {
        if (remaining < RecordBatchView.HEADER_SIZE) {
            throw new InvalidBatchException("batch header truncated: remainingBytes=" + remaining);
        }
        // as a long: a batchLength near Integer.MAX_VALUE must not wrap to a size that passes the checks
        long size = b.batchLength() + (long) RecordBatchView.LOG_OVERHEAD;
        if (b.batchLength() < RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD) {
            throw new InvalidBatchException("batch smaller than its header: batchLength=" + b.batchLength());
        }
        if (size > remaining) {
            throw new InvalidBatchException("batch truncated: sizeInBytes=" + size + " remainingBytes=" + remaining);
        }
        if (size > maxBatchBytes) {
            throw new BatchTooLargeException(
                    "batch too large: sizeInBytes=" + size + " maxBatchBytes=" + maxBatchBytes);
        }
        if (b.magic() != RecordBatchView.MAGIC_V2) {
            throw new InvalidBatchException("unsupported magic: magic=" + b.magic());
        }
        long stored = b.crc();
        long computed = b.computeCrc();
        if (stored != computed) {
            throw new InvalidBatchException("CRC mismatch: crc=" + stored + " computedCrc=" + computed);
        }
        if (b.lastOffsetDelta() < 0) {
            throw new InvalidRecordException("negative lastOffsetDelta=" + b.lastOffsetDelta());
        }
        if (fromClient) {
            if (b.recordCount() <= 0) {
                throw new InvalidRecordException("batch without records: recordCount=" + b.recordCount());
            }
            if (b.lastOffsetDelta() != b.recordCount() - 1) {
                throw new InvalidRecordException("lastOffsetDelta does not match recordCount: lastOffsetDelta="
                        + b.lastOffsetDelta() + " recordCount=" + b.recordCount());
            }
            // Without decompressing, only an uncompressed batch's count can be held against its bytes.
            if (b.compressionType() == 0 && b.recordCount() > (size - RecordBatchView.HEADER_SIZE) / MIN_RECORD_BYTES) {
                throw new InvalidRecordException("more records than bytes to hold them: recordCount=" + b.recordCount()
                        + " sizeInBytes=" + size);
            }
            if (b.isControl()) {
                throw new InvalidRecordException("control batch from a client: producerId=" + b.producerId());
            }
        }
    }
}
