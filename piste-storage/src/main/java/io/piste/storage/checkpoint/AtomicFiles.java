package io.piste.storage.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Replaces a file atomically: write {@code <name>.tmp}, fsync it, rename it over the target, fsync the directory.
 * A crash leaves either the old or the new content. Stateless.
 */
public final class AtomicFiles {
    /** Windows cannot open a directory, and its file system makes a rename durable by itself (as in Kafka). */
    private static final boolean DIRECTORY_SYNC_UNSUPPORTED =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private AtomicFiles() {}

    /**
     * Replaces {@code file} with {@code content}; with {@code fsync}, durably.
     *
     * @throws IOException if a write or an fsync failed; if only the directory sync failed, the new content is in
     *         place but a power loss may bring the old one back
     */
    public static void write(Path file, ByteBuffer content, boolean fsync) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
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

    /**
     * Makes the entries of {@code dir} (files created, renamed or deleted in it) durable. A failure is an error
     * like a failed file fsync: the entries may not survive a power loss, and the caller decides what that costs.
     */
    public static void fsyncDirectory(Path dir) throws IOException {
        if (DIRECTORY_SYNC_UNSUPPORTED) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new IOException("directory fsync failed: dir=" + dir + " reason=" + e, e);
        }
    }
}
