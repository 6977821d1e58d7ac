package io.piste.storage.index;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens (creating if missing) an index file for reading and writing. An index holds no channel between writes:
 * it opens one to load, to write a batch of entries or to fsync, and closes it at once, so an index costs no file
 * descriptor while it is only looked up. The log passes its own file seam, through which tests inject faults.
 */
@FunctionalInterface
public interface IndexFileOpener {
    FileChannel open(Path file) throws IOException;

    /**
     * Opens an existing index file for reading only: the lookups of an inactive segment read its file again, and a
     * file deleted meanwhile (its segment gone) must fail, not come back empty.
     */
    default FileChannel openForRead(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ);
    }
}
