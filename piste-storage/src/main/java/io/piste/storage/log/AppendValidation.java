package io.piste.storage.log;

import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.InvalidTimestampException;
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
