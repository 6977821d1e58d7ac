package io.piste.storage.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * A channel on a {@link SimFile}, or on a {@link SimDirectory} (opened for reading: only {@link #force} works, and
 * makes the directory's entries durable). Every write, truncate and force is a step of the disk. A channel opened
 * before a power loss fails afterwards. Calls are serialized on the disk.
 */
final class SimFileChannel extends FileChannel {
    private final SimulatedDisk disk;
    private final Path path;
    private final SimFile file;
    private final SimDirectory directory;
    private final boolean readable;
    private final boolean writable;
    private final boolean append;
    private final int generation;
    private long position;

    private SimFileChannel(
            SimulatedDisk disk,
            Path path,
            SimFile file,
            SimDirectory directory,
            boolean readable,
            boolean writable,
            boolean append) {
        this.disk = disk;
        this.path = path;
        this.file = file;
        this.directory = directory;
        this.readable = readable;
        this.writable = writable;
        this.append = append;
        this.generation = disk.generation();
    }

    static SimFileChannel forFile(
            SimulatedDisk disk, Path path, SimFile file, boolean readable, boolean writable, boolean append) {
        return new SimFileChannel(disk, path, file, null, readable, writable, append);
    }

    static SimFileChannel forDirectory(SimulatedDisk disk, Path path, SimDirectory directory) {
        return new SimFileChannel(disk, path, null, directory, false, false, false);
    }

    /** Checks the channel may be used; call holding the disk's lock. */
    private void check(String operation) throws IOException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        disk.checkAlive(operation, path);
        if (generation != disk.generation()) {
            throw new IllegalStateException("channel opened before a simulated power loss: path=" + path);
        }
        if (file == null && !operation.equals("force")) {
            throw new IOException("Is a directory: " + path);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (disk) {
            int n = read(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        synchronized (disk) {
            check("read");
            if (!readable) {
                throw new NonReadableChannelException();
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            byte[] bytes = new byte[dst.remaining()];
            int n = file.read(at, bytes, 0, bytes.length);
            if (n > 0) {
                dst.put(bytes, 0, n);
            }
            return n;
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (disk) {
            if (append) {
                check("write");
                position = file.size();
            }
            int n = write(src, position);
            position += n;
            return n;
        }
    }

    @Override
    public int write(ByteBuffer src, long at) throws IOException {
        synchronized (disk) {
            check("write");
            if (!writable) {
                throw new NonWritableChannelException();
            }
            if (!src.hasRemaining()) {
                return 0;
            }
            disk.step("write", path);
            byte[] bytes = new byte[src.remaining()];
            src.get(bytes);
            file.write(at, bytes);
            return bytes.length;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public long position() throws IOException {
        synchronized (disk) {
            check("position");
            return position;
        }
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        synchronized (disk) {
            check("position");
            position = newPosition;
            return this;
        }
    }

    @Override
    public long size() throws IOException {
        synchronized (disk) {
            check("size");
            return file.size();
        }
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        synchronized (disk) {
            check("truncate");
            if (!writable) {
                throw new NonWritableChannelException();
            }
            if (size < file.size()) {
                disk.step("truncate", path);
                file.truncate(size);
            }
            position = Math.min(position, size);
            return this;
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        synchronized (disk) {
            check("force");
            disk.step(file == null ? "fsync-directory" : "fsync", path);
            if (file == null) {
                directory.force();
            } else {
                file.force();
            }
        }
    }

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
        int n = read(buf, at);
        if (n <= 0) {
            return 0;
        }
        buf.flip();
        long written = 0;
        while (buf.hasRemaining()) {
            written += target.write(buf);
        }
        return written;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long at, long count) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
        int n = src.read(buf);
        if (n <= 0) {
            return 0;
        }
        buf.flip();
        return write(buf, at);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) {
        throw new UnsupportedOperationException("memory mapping is not simulated: path=" + path);
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("locks are not simulated: path=" + path);
    }

    @Override
    public FileLock tryLock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("locks are not simulated: path=" + path);
    }

    @Override
    protected void implCloseChannel() {
        // nothing to release: closing neither syncs nor loses anything
    }

    @Override
    public String toString() {
        return "SimFileChannel(" + path + ")";
    }
}
