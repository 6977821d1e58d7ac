package io.piste.broker.protocol;

import java.nio.channels.FileChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Whole record batches lying in a log segment file, sent to the client without being read into memory.
 *
 * <p>The response writer recognises this type and sends the bytes as a file region (sendfile).
 */
public record FileSliceRecords(FileChannel channel, long position, int sizeInBytes) implements BaseRecords {

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("Piste writes file slices through its Netty response writer");
    }
}
