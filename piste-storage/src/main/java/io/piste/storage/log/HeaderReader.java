package io.piste.storage.log;

import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A reusable header-sized buffer and view per thread: header reads of segments allocate nothing. Each thread
 * gets its own through {@link #current()}; the view is valid until that thread's next read.
 */
final class HeaderReader {
    private static final ThreadLocal<HeaderReader> CURRENT = ThreadLocal.withInitial(HeaderReader::new);

    final ByteBuffer buffer = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
    final RecordBatchView view = new RecordBatchView();

    private HeaderReader() {}

    /** The calling thread's reader. */
    static HeaderReader current() {
        return CURRENT.get();
    }

    RecordBatchView read(FileChannel channel, long position) throws IOException {
        buffer.clear();
        LogFiles.readFully(channel, buffer, position);
        return view.wrap(buffer, 0);
    }
}
