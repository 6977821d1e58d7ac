package io.piste.storage.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A {@link FileChannelFactory} whose channels, for chosen files, fail writes while {@link #diskFull} is set and
 * fail {@code force()} while {@link #failFsync} says so; directory syncs fail while {@link #failDirectorySync}
 * says so, and are counted; file system syncs (syncfs) of chosen log dirs fail while {@link #failFileSystemSync}
 * says so, and are counted, and otherwise are the real syncfs where it is available. Thread-safe. Public for the broker's tests (piste-storage's test-jar).
 */
public final class FaultyFiles implements FileChannelFactory {
    volatile boolean diskFull;
    private volatile boolean fsyncFails;
    private volatile boolean directorySyncFails;
    private volatile boolean fileSystemSyncFails;
    private final AtomicInteger fileSystemSyncs = new AtomicInteger();
    private final AtomicInteger directorySyncs = new AtomicInteger();
    private final Predicate<Path> affected;
    private final int partialBytes;

    FaultyFiles(Predicate<Path> affected, int partialBytes) {
        this.affected = affected;
        this.partialBytes = partialBytes;
    }

    static FaultyFiles all(int partialBytes) {
        return new FaultyFiles(p -> true, partialBytes);
    }

    static FaultyFiles suffix(String suffix, int partialBytes) {
        return new FaultyFiles(p -> p.getFileName().toString().endsWith(suffix), partialBytes);
    }

    /** Files (and directories) whose path contains {@code part}, e.g. a partition's directory name. */
    public static FaultyFiles pathContaining(String part) {
        return new FaultyFiles(p -> p.toString().contains(part), 0);
    }

    /** While set, {@code force()} on the affected files fails with an I/O error (the data may not be on disk). */
    public void failFsync(boolean fails) {
        fsyncFails = fails;
    }

    /** While set, syncing an affected directory fails with an I/O error. */
    public void failDirectorySync(boolean fails) {
        directorySyncFails = fails;
    }

    /** Directory syncs asked for so far, failed ones included. */
    public int directorySyncs() {
        return directorySyncs.get();
    }

    /** While set, the file system sync (syncfs) of an affected log dir fails with an I/O error. */
    public void failFileSystemSync(boolean fails) {
        fileSystemSyncFails = fails;
    }

    /** File system syncs asked for so far, failed ones included. */
    public int fileSystemSyncs() {
        return fileSystemSyncs.get();
    }

    @Override
    public FileChannel open(Path path) throws IOException {
        FileChannel real = FileChannelFactory.DEFAULT.open(path);
        return affected.test(path) ? new FaultyFileChannel(real, () -> diskFull, partialBytes, () -> fsyncFails) : real;
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        directorySyncs.incrementAndGet();
        if (directorySyncFails && affected.test(dir)) {
            throw new IOException("Input/output error: directory fsync failed (injected): dir=" + dir);
        }
        FileChannelFactory.super.fsyncDirectory(dir);
    }

    /** The real syncfs where it is usable here (else no sync at all: these tests check acks, not the disk). */
    @Override
    public FileSystemSync openFileSystemSync(Path logDir) throws IOException {
        FileSystemSync real =
                Syncfs.unavailableReason() == null ? FileChannelFactory.super.openFileSystemSync(logDir) : null;
        return new FileSystemSync() {
            @Override
            public void sync() throws IOException {
                fileSystemSyncs.incrementAndGet();
                if (fileSystemSyncFails && affected.test(logDir)) {
                    throw new IOException("Input/output error: syncfs failed (injected): dir=" + logDir);
                }
                if (real != null) {
                    real.sync();
                }
            }

            @Override
            public void close() throws IOException {
                if (real != null) {
                    real.close();
                }
            }
        };
    }
}
