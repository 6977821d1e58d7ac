package io.piste.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * the loader checks every entry ({@link #checkEntries()}) and rebuilds a damaged index from its segment, as it rebuilds
 * the index of a segment it recovers ({@link #needsRebuild()}). In a crash an entry may be lost
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
    /** The read-only channel of {@link #holdForReads()}, or null. */
    private volatile FileChannel heldForReads;
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

    /**
     * The file was not a whole number of entries when opened, or {@link #checkEntries()} found a bad one: the loader
     * recovers the segment to rebuild it.
     */
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
        FileChannel held = heldForReads;
        if (held != null) {
            try {
                return read(held, total, fetchOffset, upperBoundOffset, out) == READ_STOPPED;
            } catch (ClosedChannelException e) {
                return false; // closed meanwhile: its segment was deleted
            }
        }
        try (FileChannel channel = files.openForRead(file())) {
            return read(channel, total, fetchOffset, upperBoundOffset, out) == READ_STOPPED;
        } catch (NoSuchFileException e) {
            return false; // the segment was deleted meanwhile
        }
    }

    /**
     * Whether every entry of the file is one this segment could have written (a version Piste writes, offsets in
     * order and in the segment): Kafka's sanity check at load. A damaged index is rebuilt from its segment by the
     * loader ({@link #needsRebuild()} is true from then on).
     */
    public boolean checkEntries() throws IOException {
        int total = entries;
        if (total > 0 && !damaged) {
            try (FileChannel channel = files.openForRead(file())) {
                damaged = read(channel, total, Long.MAX_VALUE, Long.MAX_VALUE, new ArrayList<>()) == READ_DAMAGED;
            }
        }
        return !damaged;
    }

    private static final int READ_ALL = 0;
    private static final int READ_STOPPED = 1;
    private static final int READ_DAMAGED = 2;

    /**
     * Reads the first {@code total} entries into {@code out} as {@link #collect} wants them; returns
     * {@link #READ_STOPPED} at Kafka's early stop, {@link #READ_DAMAGED} at the first entry that does not belong to
     * the segment (the ones before it are used), else {@link #READ_ALL}.
     */
    private int read(FileChannel channel, int total, long fetchOffset, long upperBoundOffset, List<AbortedTxn> out)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.min(READ_CHUNK_ENTRIES, total) * ENTRY_BYTES);
        long previousLast = Long.MIN_VALUE;
        for (int first = 0; first < total; first += READ_CHUNK_ENTRIES) {
            int count = Math.min(READ_CHUNK_ENTRIES, total - first);
            buf.clear().limit(count * ENTRY_BYTES);
            if (!readFully(channel, buf, (long) first * ENTRY_BYTES)) {
                warnOnce("the file is shorter than its entries", first);
                return READ_DAMAGED;
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
                    return READ_DAMAGED;
                }
                previousLast = lastOffset;
                if (lastOffset >= fetchOffset && firstOffset < upperBoundOffset) {
                    out.add(new AbortedTxn(producerId, firstOffset, lastOffset, lastStableOffset));
                }
                if (lastStableOffset >= upperBoundOffset) {
                    return READ_STOPPED;
                }
            }
        }
        return READ_ALL;
    }

    /**
     * Keeps a read-only channel on the file from now until {@link #close()}, through which {@link #collect} reads: the
     * segment's files are about to be renamed (a compaction swap), and a read_committed fetch that still finds the
     * segment must read its entries, not a missing file or the swapped-in segment's under the same name.
     */
    public synchronized void holdForReads() {
        if (entries == 0 || closed || heldForReads != null) {
            return;
        }
        try {
            heldForReads = files.openForRead(file());
        } catch (IOException e) {
            // No channel (no file descriptor left, say): the swap goes on, and reads of this segment's aborts stop
            // until the swapped-in segment takes its place, as a closed index's.
            LOG.warn("Could not keep a transaction index readable through a segment swap: file={}", file(), e);
            closed = true;
        }
    }

    private void warnOnce(String what, int entry) {
        if (!warned) {
            warned = true;
            LOG.warn(
                    "Ignoring a damaged aborted-transaction index from entry {}: {}; file={} (rebuilt from its "
                            + "segment at the next load)",
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
    public synchronized void close() {
        closed = true;
        FileChannel held = heldForReads;
        heldForReads = null;
        if (held != null) {
            try {
                held.close();
            } catch (IOException e) {
                LOG.debug("Could not close a read-only transaction index channel: file={}", file(), e);
            }
        }
    }
}
