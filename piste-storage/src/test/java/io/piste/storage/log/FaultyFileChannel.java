package io.piste.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.function.BooleanSupplier;

/**
 * A FileChannel whose writes fail with "No space left on device" while {@code diskFull} says so, after writing
 * up to {@code partialBytes} of the buffer (a torn write), and whose {@code force()} fails with an I/O error while
 * {@code fsyncFails} says so. Everything else is delegated.
 */
public final class FaultyFileChannel extends FileChannel {
    private final FileChannel delegate;
    private final BooleanSupplier diskFull;
    private final int partialBytes;
    private final BooleanSupplier fsyncFails;

    public FaultyFileChannel(FileChannel delegate, BooleanSupplier diskFull, int partialBytes) {
        this(delegate, diskFull, partialBytes, () -> false);
    }

    public FaultyFileChannel(
            FileChannel delegate, BooleanSupplier diskFull, int partialBytes, BooleanSupplier fsyncFails) {
        this.delegate = delegate;
        this.diskFull = diskFull;
        this.partialBytes = partialBytes;
        this.fsyncFails = fsyncFails;
    }

    private void failIfFull(ByteBuffer src, long position) throws IOException {
        if (!diskFull.getAsBoolean()) {
            return;
        }
        int n = Math.min(partialBytes, src.remaining());
        if (n > 0 && position >= 0) {
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + n);
            delegate.write(part, position);
        }
        throw new IOException("No space left on device");
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        failIfFull(src, position);
        return delegate.write(src, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        failIfFull(src, -1);
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (diskFull.getAsBoolean()) {
            throw new IOException("No space left on device");
        }
        return delegate.write(srcs, offset, length);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (fsyncFails.getAsBoolean()) {
            // As on Linux after a failed write-back: the pages are dropped or marked clean, nothing is retried.
            throw new IOException("Input/output error: fsync failed (injected)");
        }
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        if (diskFull.getAsBoolean()) {
            throw new IOException("No space left on device");
        }
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        throw new UnsupportedOperationException("the log never maps files");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
