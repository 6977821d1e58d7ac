package io.piste.storage.log;

import io.piste.storage.index.TransactionIndex;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** File names of a partition directory and small positional I/O helpers. Stateless. */
final class LogFiles {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String TXN_INDEX_SUFFIX = TransactionIndex.FILE_SUFFIX;
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    static final String LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    static final String DELETED_SUFFIX = ".deleted";

    private LogFiles() {}

    /** The offset zero-padded to 20 digits, as every segment-related file name starts. */
    static String filenamePrefix(long offset) {
        return String.format("%020d", offset);
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX);
    }

    static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + INDEX_SUFFIX);
    }

    static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    static Path txnIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + TXN_INDEX_SUFFIX);
    }

    /** {@code file} with {@code suffix} appended to its name ({@code ""}: the file itself). */
    static Path withSuffix(Path file, String suffix) {
        return suffix.isEmpty() ? file : file.resolveSibling(file.getFileName() + suffix);
    }

    /**
     * The four files of segment {@code baseOffset}, each with {@code suffix} appended; the last, the transaction index,
     * exists only once an abort was written to the segment.
     */
    static Path[] segmentFiles(Path dir, long baseOffset, String suffix) {
        return new Path[] {
            withSuffix(logFile(dir, baseOffset), suffix),
            withSuffix(indexFile(dir, baseOffset), suffix),
            withSuffix(timeIndexFile(dir, baseOffset), suffix),
            withSuffix(txnIndexFile(dir, baseOffset), suffix)
        };
    }

    /** The offset a file name starts with, or -1 if the name is not {@code <20 digits><suffix>}. */
    static long offsetFromFileName(String name, String suffix) {
        if (!name.endsWith(suffix) || name.length() != 20 + suffix.length()) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        try {
            return Long.parseLong(name.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Reads until {@code buf} is full; EOFException if the file ends first. */
    static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new EOFException("end of file at position=" + pos);
            }
            pos += n;
        }
    }

    static void writeFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted((a, b) -> b.compareTo(a))::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
