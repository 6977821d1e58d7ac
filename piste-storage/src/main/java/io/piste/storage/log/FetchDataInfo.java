package io.piste.storage.log;

import java.nio.channels.FileChannel;

/**
 * A slice of one segment file made of whole batches: send {@code sizeInBytes} bytes of {@code channel} from
 * {@code position} (e.g. with {@code transferTo}). The channel belongs to the segment; never close it.
 */
public record FetchDataInfo(long fetchOffset, FileChannel channel, long position, int sizeInBytes) {

    public static FetchDataInfo empty(long fetchOffset) {
        return new FetchDataInfo(fetchOffset, null, 0L, 0);
    }

    public boolean isEmpty() {
        return sizeInBytes == 0;
    }
}
