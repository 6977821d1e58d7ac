package io.piste.storage.log;

import io.piste.storage.record.RecordBatchView;
import io.piste.storage.record.TestBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Shared helpers for log tests: a settable clock, small configs, reading batches back. */
final class LogTestSupport {
    static final long NOW_MS = 1_700_000_000_000L;

    private LogTestSupport() {}

    static AtomicLong clock() {
        return new AtomicLong(NOW_MS);
    }

    /** Small segments and a dense index so tests roll and index often. */
    static LogConfig smallConfig() {
        return LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(128);
    }

    static ByteBuffer batch(int records) {
        return TestBatches.builder().records(records).timestamp(NOW_MS).build();
    }

    /** Every batch from {@code offset} to the log end, as heap copies, by reading through {@link UnifiedLog#read}. */
    static List<ByteBuffer> readAll(UnifiedLog log, long offset) throws IOException {
        List<ByteBuffer> batches = new ArrayList<>();
        RecordBatchView view = new RecordBatchView();
        long next = offset;
        while (next < log.logEndOffset()) {
            FetchDataInfo info = log.read(next, 1 << 20, Long.MAX_VALUE, true);
            if (info.isEmpty()) {
                break;
            }
            ByteBuffer buf = ByteBuffer.allocate(info.sizeInBytes());
            LogFiles.readFully(info.channel(), buf, info.position());
            buf.flip();
            for (int pos = 0; pos < buf.limit(); pos += view.sizeInBytes()) {
                view.wrap(buf, pos);
                ByteBuffer one = ByteBuffer.allocate(view.sizeInBytes());
                one.put(buf.duplicate().position(pos).limit(pos + view.sizeInBytes()));
                one.flip();
                batches.add(one);
                next = view.lastOffset() + 1;
            }
        }
        return batches;
    }

    static List<Long> baseOffsets(List<ByteBuffer> batches) {
        List<Long> offsets = new ArrayList<>();
        RecordBatchView view = new RecordBatchView();
        for (ByteBuffer b : batches) {
            offsets.add(view.wrap(b, 0).baseOffset());
        }
        return offsets;
    }
}
