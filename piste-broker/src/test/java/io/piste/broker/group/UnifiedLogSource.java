package io.piste.broker.group;

import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;

/** A bare log as what the offsets load reads, for tests that build the log without a partition. */
record UnifiedLogSource(UnifiedLog log) implements OffsetsTopicLoader.LogSource {

    @Override
    public long logStartOffset() {
        return log.logStartOffset();
    }

    @Override
    public long logEndOffset() {
        return log.logEndOffset();
    }

    @Override
    public FetchDataInfo read(long offset, int maxBytes) throws IOException {
        return log.read(offset, maxBytes, log.logEndOffset(), true);
    }
}
