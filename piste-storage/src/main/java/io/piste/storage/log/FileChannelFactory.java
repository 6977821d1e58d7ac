package io.piste.storage.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one place the log opens its segment and index files: a seam through which tests inject torn writes and a
 * full disk.
 */
@FunctionalInterface
interface FileChannelFactory {
    FileChannelFactory DEFAULT = path -> FileChannel.open(path,
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

    /** Opens (creating if missing) {@code path} for reading and writing. */
    FileChannel open(Path path) throws IOException;
}
