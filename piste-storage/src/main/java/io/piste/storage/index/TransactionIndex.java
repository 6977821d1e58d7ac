package io.piste.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aborted-transaction index of one segment, {@code <base offset>.txnindex}: one entry per ABORT marker written
 * to the segment, in the order of the markers, in Kafka's format (34 bytes, big-endian):
 *
 * <pre>
 *  offset  field             type
 *  0       version           int16    0
 *  2       producerId        int64
 *  10      firstOffset       int64    the transaction's first batch (may be in an earlier segment)
 *  18      lastOffset        int64    the ABORT marker, in this segment
 *  26      lastStableOffset  int64    the last stable offset once the transaction was aborted
 * </pre>
 *
 * <p>Aborts are rare, so nothing of the file stays in heap and no channel stays open: an append opens, writes and
 * closes; a read ({@link #collect}) opens, reads in bounded chunks and closes; a segment with no entry never touches
 * the file. Never memory-mapped. A file whose size is not a whole number of entries, or an entry that does not
 * belong to the segment, is damage: the entries before it are used, the rest ignored, and it is said once in the log;
 * the loader rebuilds the index of a segment it recovers ({@link #needsRebuild()}). In a crash an entry may be lost
 * with its unflushed marker, never the other way round: the entry is fsynced with the segment's data.
 *
 * <p>Threads: appends, truncations and flushes from the log's append lock holder or its flusher; {@link #collect}
 * from any thread.
 */
public final class TransactionIndex {
    public static final int ENTRY_BYTES = 34;
    public static final String FILE_SUFFIX = ".txnindex";
    private static final String LOG_SUFFIX = ".log";
    private static final short VERSION = 0;
    private static final int READ_CHUNK_ENTRIES = 256;
    private static final Logger LOG = LoggerFactory.getLogger(TransactionIndex.class);

    /** The segment's log file: the index's own path is derived on use, so that a segment holds no second path. */
    private final Path logFile;

    private final IndexFileOpener files;
    private final long baseOffset;
    /** Whole entries in the file, as far as anyone knows. */
    private volatile int entries;
    /** The file's size was not a whole number of entries when opened. */
    private volatile boolean damaged;

    private volatile boolean warned;
    private volatile boolean closed;
    /**
     * Entries written since the last fsync. Volatile and cleared before the fsync: an append by the appender's thread
     * while the flusher forces the file must leave it set for the next flush.
     */
    private volatile boolean dirty;

    private TransactionIndex(Path logFile, IndexFileOpener files, long baseOffset, int entries, boolean damaged) {
        this.logFile = logFile;
        this.files = files;
        this.baseOffset = baseOffset;
        this.entries = entries;
        this.damaged = damaged;
    }

    /**
     * Opens the index of the segment whose log file is {@code logFile} ({@code <base>.log}, maybe with a suffix such as
     * {@code .cleaned}): its file is the same name with {@code .txnindex} for {@code .log}. Only the file's size is read
     * (a missing file is an empty index).
     */
    public static TransactionIndex open(Path logFile, IndexFileOpener files, long baseOffset) throws IOException {
        Path file = fileOf(logFile);
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            size = 0;
        }
        int whole = (int) Math.min(size / ENTRY_BYTES, Integer.MAX_VALUE);
        return new TransactionIndex(logFile, files, baseOffset, whole, size % ENTRY_BYTES != 0);
    }

    private static Path fileOf(Path logFile) {
        String name = logFile.getFileName().toString();
        int at = name.indexOf(LOG_SUFFIX);
        if (at < 0) {
            throw new IllegalArgumentException("not a segment's log file: file=" + logFile);
        }
        return logFile.resolveSibling(name.substring(0, at) + FILE_SUFFIX + name.substring(at + LOG_SUFFIX.length()));
    }

    public Path file() {
        return fileOf(logFile);
    }

    public int entries() {
        return entries;
    }

    /** The file was not a whole number of entries when opened: the loader recovers the segment to rebuild it. */
    public boolean needsRebuild() {
        return damaged;
    }

    /** Appends one entry (no fsync: {@link #flush()} does it with the segment's data). */
    public void append(AbortedTxn txn) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ENTRY_BYTES);
        buf.putShort(VERSION)
                .putLong(txn.producerId())
                .putLong(txn.firstOffset())
                .putLong(txn.lastOffset())
                .putLong(txn.lastStableOffset())
                .flip();
        int at = entries;
        try (FileChannel channel = files.open(file())) {
            long position = (long) at * ENTRY_BYTES;
            while (buf.hasRemaining()) {
                position += channel.write(buf, position);
            }
            if (damaged) {
                channel.truncate((long) (at + 1) * ENTRY_BYTES);
                damaged = false;
            }
        }
        dirty = true;
        entries = at + 1;
    }

    /** Fsyncs what {@link #append} wrote since the last flush; nothing if nothing was. */
    public void flush() throws IOException {
        if (!dirty || closed) {
            return;
        }
        dirty = false;
        try (FileChannel channel = files.open(file())) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            dirty = true;
            throw e;
        }
    }

    /** Keeps only the entries whose marker is below {@code offset} (recovery cuts the index where it rescans). */
    public void truncateTo(long offset) throws IOException {
        int keep = 0;
        int total = entries;
        if (total > 0) {
            try (FileChannel channel = files.openForRead(file())) {
                keep = countWhile(channel, total, offset);
            }
        }
        if (keep == total && !damaged) {
            return;
        }
        try (FileChannel channel = files.open(file())) {
            channel.truncate((long) keep * ENTRY_BYTES);
            channel.force(true);
        }
        entries = keep;
        damaged = false;
        dirty = false;
    }

    private int countWhile(FileChannel channel, int total, long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ENTRY_BYTES);
        for (int i = 0; i < total; i++) {
            buf.clear();
            if (!readFully(channel, buf, (long) i * ENTRY_BYTES) || buf.getLong(18) >= offset) {
                return i;
            }
        }
        return total;
    }

    /**
     * Adds to {@code out} the aborted transactions that overlap [{@code fetchOffset}, {@code upperBoundOffset}): whose
     * marker is at or after the fetch offset and whose first offset is below the bound. Returns true once an entry's
     * last stable offset reaches the bound: no later segment can hold a transaction that began below it (Kafka's
     * early stop).
     */
    public boolean collect(long fetchOffset, long upperBoundOffset, List<AbortedTxn> out) throws IOException {
        int total = entries;
        if (total == 0 || closed) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK_ENTRIES * ENTRY_BYTES);
        long previousLast = Long.MIN_VALUE;
        try (FileChannel channel = files.openForRead(file())) {
            for (int first = 0; first < total; first += READ_CHUNK_ENTRIES) {
                int count = Math.min(READ_CHUNK_ENTRIES, total - first);
                buf.clear().limit(count * ENTRY_BYTES);
                if (!readFully(channel, buf, (long) first * ENTRY_BYTES)) {
                    warnOnce("the file is shorter than its entries", first);
                    return false;
                }
                for (int i = 0; i < count; i++) {
                    int at = i * ENTRY_BYTES;
                    long producerId = buf.getLong(at + 2);
                    long firstOffset = buf.getLong(at + 10);
                    long lastOffset = buf.getLong(at + 18);
                    long lastStableOffset = buf.getLong(at + 26);
                    if (buf.getShort(at) != VERSION
                            || firstOffset < 0
                            || firstOffset > lastOffset
                            || lastOffset < baseOffset
                            || lastOffset <= previousLast) {
                        warnOnce("an entry does not belong to the segment", first + i);
                        return false;
                    }
                    previousLast = lastOffset;
                    if (lastOffset >= fetchOffset && firstOffset < upperBoundOffset) {
                        out.add(new AbortedTxn(producerId, firstOffset, lastOffset, lastStableOffset));
                    }
                    if (lastStableOffset >= upperBoundOffset) {
                        return true;
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return false; // the segment was deleted meanwhile
        }
        return false;
    }

    private void warnOnce(String what, int entry) {
        if (!warned) {
            warned = true;
            LOG.warn(
                    "Ignoring a damaged aborted-transaction index from entry {}: {}; file={} (rebuilt at the next "
                            + "recovery of its segment)",
                    entry,
                    what,
                    file());
        }
    }

    private static boolean readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                return false;
            }
            pos += n;
        }
        buf.flip();
        return true;
    }

    /** Empties the index (its segment was emptied). */
    public void truncateFully() throws IOException {
        if (entries == 0 && !damaged && !Files.exists(file())) {
            return;
        }
        try (FileChannel channel = files.open(file())) {
            channel.truncate(0);
        }
        entries = 0;
        damaged = false;
        dirty = false;
    }

    /** Stops touching the file (the segment is closed, deleted or renamed). */
    public void close() {
        closed = true;
    }
}
