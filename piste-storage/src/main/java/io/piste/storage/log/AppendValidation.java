package io.piste.storage.log;

import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.InvalidRecordException;
import io.piste.storage.errors.InvalidTimestampException;
import io.piste.storage.errors.UnexpectedAppendOffsetException;
import io.piste.storage.record.BatchValidator;
import io.piste.storage.record.RecordBatchView;
import java.nio.ByteBuffer;

/** The checks an append makes on the batches it is handed before it stages or writes anything. Stateless. */
final class AppendValidation {

    private AppendValidation() {}

    /** Checks structure and timestamps of every batch, through {@code view}; returns the total record count. */
    static int validateBatches(RecordBatchView view, ByteBuffer records, int start, int end, LogConfig cfg, long now) {
        if (start >= end) {
            throw new InvalidBatchException("no batches to append: sizeInBytes=" + (end - start));
        }
        int recordCount = 0;
        for (int pos = start; pos < end; pos += view.sizeInBytes()) {
            view.wrap(records, pos);
            BatchValidator.validate(view, end - pos, cfg.maxMessageBytes());
            if (!cfg.logAppendTime() && !view.timestampTypeIsLogAppendTime()) {
                validateTimestamp(view.maxTimestamp(), now, cfg);
            }
            recordCount += view.recordCount();
        }
        return recordCount;
    }

    /**
     * Checks the batches a follower copies from its leader, through {@code view}; returns the total record count.
     * Each batch must be whole with a correct CRC (a corrupt copy is refused), but none is held to the client rules
     * (size limit, timestamps, record count against offsets, no control batches) that could refuse what the leader
     * accepted. The offsets are the leader's: the first base at or after {@code logEndOffset} (a gap is a compacted
     * leader log), each batch past the one before, and the last below {@link Long#MAX_VALUE}.
     *
     * @throws InvalidBatchException if a batch is malformed or corrupt
     * @throws UnexpectedAppendOffsetException if the offsets do not go on from the log end, increasing
     */
    static int validateReplicated(RecordBatchView view, ByteBuffer records, int start, int end, long logEndOffset) {
        long recordCount = 0;
        long next = logEndOffset;
        for (int pos = start; pos < end; pos += view.sizeInBytes()) {
            view.wrap(records, pos);
            try {
                BatchValidator.validate(view, end - pos, Integer.MAX_VALUE, false);
            } catch (InvalidRecordException e) {
                throw new InvalidBatchException(e.getMessage()); // a negative lastOffsetDelta: no leader wrote it
            }
            long base = view.baseOffset();
            if (base < next) {
                throw new UnexpectedAppendOffsetException("replicated batch below the expected offset: baseOffset="
                        + base + " expectedAtLeast=" + next + " logEndOffset=" + logEndOffset + " position="
                        + (pos - start));
            }
            if (base > Long.MAX_VALUE - 1 - view.lastOffsetDelta()) {
                throw new UnexpectedAppendOffsetException("replicated batch past the largest offset: baseOffset=" + base
                        + " lastOffsetDelta=" + view.lastOffsetDelta());
            }
            next = view.lastOffset() + 1;
            recordCount += Math.max(0, view.recordCount());
        }
        return (int) Math.min(recordCount, Integer.MAX_VALUE);
    }

    private static void validateTimestamp(long maxTimestamp, long now, LogConfig cfg) {
        if (maxTimestamp == RecordBatchView.NO_TIMESTAMP) {
            return;
        }
        long lower = saturatedAdd(now, -cfg.messageTimestampBeforeMaxMs());
        long upper = saturatedAdd(now, cfg.messageTimestampAfterMaxMs());
        if (maxTimestamp < lower || maxTimestamp > upper) {
            throw new InvalidTimestampException("timestamp out of range: maxTimestamp=" + maxTimestamp + " nowMs=" + now
                    + " allowedRange=[" + lower + ", " + upper + "]");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
