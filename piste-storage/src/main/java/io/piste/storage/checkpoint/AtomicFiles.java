package io.piste.storage.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file atomically: write {@code <name>.tmp}, fsync it, rename it over the target, fsync the directory.
 * A crash leaves either the old or the new content. Stateless.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void write(Path file, ByteBuffer content, boolean fsync) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            while (content.hasRemaining()) {
                pos += ch.write(content, pos);
            }
            if (fsync) {
                ch.force(true);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            fsyncDirectory(file.toAbsolutePath().getParent());
        }
    }

    /** Makes a rename durable; some platforms cannot open a directory, which then is not an error. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not supported on this platform or filesystem: nothing more we can do.
        }
    }
}
