package io.piste.storage.log;

import io.piste.storage.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one place the log opens its segment and index files and fsyncs its directory: a seam through which tests
 * inject torn writes, a full disk, failed fsyncs, failed directory syncs and failed file system syncs. Implementations are called from any
 * thread that opens, appends to or flushes a log, and must be thread-safe.
 */
@FunctionalInterface
public interface FileChannelFactory {
    FileChannelFactory DEFAULT = path ->
            FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

    /** Opens (creating if missing) {@code path} for reading and writing. */
    FileChannel open(Path path) throws IOException;

    /** Makes the entries of {@code dir} (files created, renamed or deleted in it) durable. */
    default void fsyncDirectory(Path dir) throws IOException {
        AtomicFiles.fsyncDirectory(dir);
    }

    /**
     * Opens the one-call sync of the file system holding {@code logDir} (syncfs(2) by default). Throws when that is
     * not available here (not Linux, a kernel before 5.8, JNA not loadable): the caller then fsyncs file by file.
     */
    default FileSystemSync openFileSystemSync(Path logDir) throws IOException {
        return Syncfs.open(logDir);
    }
}
