package io.piste.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entries of a sparse index kept in a growable {@code long[]} (the truth) and written to the index file in
 * batches (a copy that may lag behind).
 *
 * <p>Design note: the file is not memory-mapped because a write to a mapped page on a full filesystem raises
 * SIGBUS and kills the JVM. Nor is it kept open: an append only adds the entry in memory, and the file is opened
 * through a short-lived channel when the owner writes the pending entries ({@link #tryPersist()}, at a flush once
 * enough are pending, at a roll and at close), so a segment's indexes cost no file descriptor between writes. A
 * failed file write leaves the in-memory entries intact; they are written by the next {@link #tryPersist()},
 * {@link #flush()} or {@link #writeFully()}. A file that lags holds a prefix of the entries, which is still a
 * correct sparse index; loaders check the entries they trust.
 *
 * <p>Inactive segments: once its segment is no longer the active one and the file holds every entry, the index
 * drops its entries from heap ({@link #dropFromHeap()}); a lookup then takes them from the {@link IndexCache}, which
 * reads the file again on a miss (opened read-only, read with positional reads, closed). Such a file is not trusted:
 * its size, order and last entry must be those the index had when it dropped its entries, or the lookups see no
 * entry at all and the segment's reads walk its batch headers from the start (slower, still right), with a warning;
 * the next load of the log checks the file and rebuilds it. The last entry stays in heap, so appends at a close and
 * the segment's maximum timestamp need no read. A change to the entries (a truncation) loads them back into heap
 * first.
 *
 * <p>Threads: one writer (appends, truncation) at a time; lookups from any thread without locking, through the
 * volatile {@code slots}/{@code entries} pair (the array is published before the count that covers it; a null array
 * means the entries are in the file only). File operations are synchronized so that a flush may run on another
 * thread.
 */
abstract class AbstractIndex implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractIndex.class);
    /**
     * Encoding buffer of the thread writing entries (a flusher, the appender at a roll or close): writes of any
     * size go through it in chunks, so writing entries allocates nothing and an idle index holds no buffer.
     */
    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocate(4096));

    private static final long[] NO_SLOTS = new long[0];

    protected final long baseOffset;
    private final Path file;
    private final IndexFileOpener opener;
    private final int entrySizeBytes;
    private final int slotsPerEntry;
    private final int maxEntries;
    private final IndexCache cache = IndexCache.shared();

    /** The entries; null once dropped from heap (see the class comment). */
    private volatile long[] slots;

    private volatile int entries;
    /** The last entry as it was when the entries were dropped from heap; valid while {@code slots} is null. */
    private volatile long lastFirstSlot;

    private volatile long lastSecondSlot;
    /** Set once the file failed its checks after the entries were dropped: lookups then see no entry. */
    private volatile boolean fileRejected;

    private volatile boolean readFailureLogged;

    // Guarded by this, like the other file state.
    private int persistedEntries;
    /**
     * Entries known to be in the file and fsynced, and nothing after them (-1: unknown); a complete, durable file
     * need not be rewritten at close.
     */
    private int durableEntries;

    private boolean fileNeedsTruncate;
    private boolean writeFailureLogged;
    private volatile boolean closed;

    AbstractIndex(
            Path file,
            IndexFileOpener opener,
            long baseOffset,
            int maxIndexSizeBytes,
            int entrySizeBytes,
            int slotsPerEntry) {
        this.file = file;
        this.opener = opener;
        this.baseOffset = baseOffset;
        this.entrySizeBytes = entrySizeBytes;
        this.slotsPerEntry = slotsPerEntry;
        this.maxEntries = Math.max(1, maxIndexSizeBytes / entrySizeBytes);
        this.slots = new long[16 * slotsPerEntry];
    }

    /**
     * Opens (creating it if missing), reads and closes the file: every whole entry goes into memory, unchecked; a
     * torn trailing entry is dropped.
     */
    final synchronized void loadFromFile() throws IOException {
        try (FileChannel channel = opener.open(file)) {
            load(channel);
        }
    }

    private void load(FileChannel channel) throws IOException {
        long fileBytes = channel.size();
        int count = (int) Math.min(fileBytes / entrySizeBytes, Integer.MAX_VALUE / (entrySizeBytes * 2));
        ByteBuffer buf = ByteBuffer.allocate(count * entrySizeBytes);
        long pos = 0;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        buf.flip();
        count = buf.remaining() / entrySizeBytes;
        long[] loaded = new long[Math.max(16, count) * slotsPerEntry];
        for (int i = 0; i < count; i++) {
            decode(buf, loaded, i * slotsPerEntry);
        }
        slots = loaded;
        entries = count;
        persistedEntries = count;
        fileNeedsTruncate = fileBytes != (long) count * entrySizeBytes;
    }

    public final long baseOffset() {
        return baseOffset;
    }

    public final Path file() {
        return file;
    }

    public final int entries() {
        return entries;
    }

    public final int maxEntries() {
        return maxEntries;
    }

    public final boolean isFull() {
        return entries >= maxEntries;
    }

    /** Size the complete file has (or will have once pending entries are written). */
    public final long sizeInBytes() {
        return (long) entries * entrySizeBytes;
    }

    /** Decodes one entry at the buffer's position into {@code slots[slot..]}. */
    abstract void decode(ByteBuffer in, long[] slots, int slot);

    abstract void encode(ByteBuffer out, long[] slots, int slot);

    /**
     * Current array; read {@link #entries()} first, then this, and search only {@link #searchable} entries. For an
     * index whose entries were dropped from heap, the cached or re-read entries of its file (none if it is damaged).
     */
    final long[] slots() {
        long[] s = slots;
        return s != null ? s : fileSlots();
    }

    /** How many entries of {@code s} a search may use, {@code n} being the count read before the array. */
    final int searchable(int n, long[] s) {
        return Math.min(n, s.length / slotsPerEntry);
    }

    final long slot(int entry, int field) {
        return slots()[entry * slotsPerEntry + field];
    }

    /** Field {@code field} of the last entry; the index must not be empty. Never reads the file. */
    final long lastSlot(int field) {
        int n = entries;
        long[] s = slots;
        if (s == null) {
            return field == 0 ? lastFirstSlot : lastSecondSlot;
        }
        return s[(n - 1) * slotsPerEntry + field];
    }

    /** Whether entries {@code [0, n)} of {@code s} are in the order the format requires (never trust a file). */
    abstract boolean inOrder(long[] s, int n);

    /**
     * Drops the entries from heap if the file holds them all (nothing pending, no truncation pending); returns
     * whether it did. Called by the writer when the segment stops being the active one, the file just written.
     */
    public final synchronized boolean dropFromHeap() {
        long[] s = slots;
        if (s == null || closed || fileNeedsTruncate || persistedEntries != entries) {
            return false;
        }
        int n = entries;
        if (n > 0) {
            lastFirstSlot = s[(n - 1) * slotsPerEntry];
            lastSecondSlot = slotsPerEntry > 1 ? s[(n - 1) * slotsPerEntry + 1] : 0;
        }
        slots = null;
        return true;
    }

    /** Whether the entries are in heap (an active segment's) rather than in the file only. */
    public final boolean inHeap() {
        return slots != null;
    }

    /** Heap held by the entries of this index itself (not counting the shared cache). */
    public final long heapBytes() {
        long[] s = slots;
        return s == null ? 0 : 8L * s.length;
    }

    private long[] fileSlots() {
        if (fileRejected || closed || entries == 0) {
            return NO_SLOTS;
        }
        long[] cached = cache.get(this);
        if (cached != null) {
            return cached;
        }
        long[] read = readDroppedEntries();
        if (read != NO_SLOTS) {
            cache.put(this, read);
            if (closed) {
                cache.remove(this);
            }
        }
        return read;
    }

    /** Reads and checks the file of an index whose entries were dropped; NO_SLOTS (and a warning) if it is bad. */
    private long[] readDroppedEntries() {
        int n = entries;
        long expectedBytes = (long) n * entrySizeBytes;
        String problem;
        try (FileChannel channel = opener.openForRead(file)) {
            long fileBytes = channel.size();
            if (fileBytes == expectedBytes) {
                long[] read = new long[n * slotsPerEntry];
                readEntries(channel, read, n);
                if (inOrder(read, n)
                        && read[(n - 1) * slotsPerEntry] == lastFirstSlot
                        && (slotsPerEntry == 1 || read[(n - 1) * slotsPerEntry + 1] == lastSecondSlot)) {
                    return read;
                }
                problem = "entries out of order or not those written";
            } else {
                problem = "size " + fileBytes + " instead of " + expectedBytes;
            }
        } catch (IOException e) {
            // Not the file's fault, maybe passing (too many open files): this lookup walks the headers, the next
            // one tries the file again. Deleted meanwhile (closed), the segment is gone anyway.
            if (!closed && !readFailureLogged) {
                readFailureLogged = true;
                LOG.warn("Could not read the index file of an inactive segment: file={} reason={}", file, e.toString());
            }
            return NO_SLOTS;
        }
        fileRejected = true;
        LOG.warn(
                "Index file of an inactive segment does not hold what was written; reads of the segment scan its "
                        + "batches until the log is opened again, which rebuilds the index: file={} problem={}",
                file,
                problem);
        return NO_SLOTS;
    }

    private void readEntries(FileChannel channel, long[] into, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.min(n, 65536 / entrySizeBytes) * entrySizeBytes);
        long pos = 0;
        int entry = 0;
        while (entry < n) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), (long) (n - entry) * entrySizeBytes));
            while (buf.hasRemaining()) {
                int read = channel.read(buf, pos);
                if (read < 0) {
                    throw new java.io.EOFException("index file ended at position=" + pos);
                }
                pos += read;
            }
            buf.flip();
            while (buf.remaining() >= entrySizeBytes) {
                decode(buf, into, entry * slotsPerEntry);
                entry++;
            }
        }
    }

    /** Brings the entries back into heap before a change; a damaged file gives an empty index, cut at the next write. */
    private void loadIntoHeapIfDropped() {
        if (slots != null) {
            return;
        }
        long[] s = fileSlots();
        int n = s.length / slotsPerEntry;
        long[] hot = Arrays.copyOf(s, Math.max(16, n) * slotsPerEntry);
        cache.remove(this);
        if (n != entries) {
            entries = n;
            persistedEntries = 0;
            durableEntries = -1;
            fileNeedsTruncate = true;
        }
        slots = hot;
        fileRejected = false;
    }

    /** Adds an entry in memory only; the file gets it with the next batch ({@link #tryPersist()}). */
    final void appendEntry(long first, long second) {
        if (slots == null) {
            synchronized (this) {
                loadIntoHeapIfDropped();
            }
        }
        int n = entries;
        long[] s = slots;
        if ((n + 1) * slotsPerEntry > s.length) {
            s = Arrays.copyOf(s, s.length * 2);
            slots = s;
        }
        s[n * slotsPerEntry] = first;
        if (slotsPerEntry > 1) {
            s[n * slotsPerEntry + 1] = second;
        }
        entries = n + 1;
    }

    /** The absolute offset of entry {@code i}. */
    public abstract long entryOffset(int i);

    /** Removes the entries whose offset is {@code >= offset}. */
    public final void truncateTo(long offset) {
        synchronized (this) {
            loadIntoHeapIfDropped();
        }
        int n = entries();
        int keep = 0;
        while (keep < n && entryOffset(keep) < offset) {
            keep++;
        }
        truncateToEntries(keep);
    }

    /**
     * Keeps the first {@code count} entries, in memory at once and in the file as soon as it can be truncated (now,
     * unless that fails: truncation is rare, and a file must not keep entries the memory has dropped for long).
     */
    public final synchronized void truncateToEntries(int count) {
        if (count >= entries) {
            return;
        }
        if (count <= 0 && slots == null) {
            // Emptied: nothing of the file is needed back in heap.
            cache.remove(this);
            slots = new long[16 * slotsPerEntry];
            fileRejected = false;
        }
        loadIntoHeapIfDropped();
        entries = Math.max(0, Math.min(count, entries));
        if (persistedEntries > entries) {
            persistedEntries = entries;
        }
        // Until the next fsync, the cut is not durable: a power loss may bring the dropped entries back.
        durableEntries = -1;
        fileNeedsTruncate = true;
        tryPersist();
    }

    /** Entries in memory not yet written to the file. */
    public final synchronized int pendingEntries() {
        return entries - persistedEntries;
    }

    /** Whether the file must be cut (a truncation it has not seen yet). */
    public final synchronized boolean pendingTruncation() {
        return fileNeedsTruncate;
    }

    /**
     * Brings the file up to date with memory through a short-lived channel; logs (once per failure streak) and
     * returns false if it cannot. Does nothing (true) when there is nothing to write or the index is closed.
     */
    public final synchronized boolean tryPersist() {
        if (closed || (!fileNeedsTruncate && persistedEntries >= entries)) {
            return true;
        }
        try (FileChannel channel = opener.open(file)) {
            persistPending(channel);
        } catch (IOException e) {
            logWriteFailure(e);
            return false;
        }
        writeFailureLogged = false;
        return true;
    }

    private void logWriteFailure(IOException e) {
        if (!writeFailureLogged) {
            writeFailureLogged = true;
            LOG.warn(
                    "Index write failed, entries kept in memory: file={} entries={} reason={}",
                    file,
                    entries,
                    e.getMessage());
        }
    }

    private void persistPending(FileChannel channel) throws IOException {
        if (fileNeedsTruncate) {
            channel.truncate((long) persistedEntries * entrySizeBytes);
            fileNeedsTruncate = false;
        }
        int n = entries;
        long[] s = slots;
        ByteBuffer buf = SCRATCH.get();
        int perChunk = buf.capacity() / entrySizeBytes;
        int i = persistedEntries;
        while (i < n) {
            int chunkEnd = Math.min(n, i + perChunk);
            long pos = (long) i * entrySizeBytes;
            buf.clear();
            for (int e = i; e < chunkEnd; e++) {
                encode(buf, s, e * slotsPerEntry);
            }
            buf.flip();
            while (buf.hasRemaining()) {
                pos += channel.write(buf, pos);
            }
            i = chunkEnd;
            // Each chunk counts once written: a failure later leaves the file a correct prefix.
            persistedEntries = i;
        }
    }

    /**
     * Writes pending entries (tolerating failure, see {@link #tryPersist()}) and fsyncs the file, through one
     * short-lived channel. Linux reports a write-back error to the first fsync after it, on any descriptor of the
     * file, so a fresh channel sees the failures of writes made through earlier ones.
     */
    public final synchronized void flush() throws IOException {
        if (closed) {
            return;
        }
        try (FileChannel channel = opener.open(file)) {
            try {
                persistPending(channel);
                writeFailureLogged = false;
            } catch (IOException e) {
                logWriteFailure(e);
            }
            channel.force(false);
            if (!fileNeedsTruncate) {
                durableEntries = persistedEntries;
            }
        }
    }

    /**
     * Rewrites the whole file from memory, cuts it to the exact size and fsyncs it; used at close. Skipped when the
     * file is known to hold every entry durably already (a segment flushed at its roll, or loaded as complete).
     */
    public final synchronized void writeFully() throws IOException {
        if (closed || (!fileNeedsTruncate && persistedEntries == entries && durableEntries == entries)) {
            return;
        }
        try (FileChannel channel = opener.open(file)) {
            if (slots == null) {
                // Dropped from heap only when the file held every entry, and unchanged since: only the fsync is
                // missing.
                channel.force(false);
                durableEntries = entries;
                return;
            }
            persistedEntries = 0;
            durableEntries = -1;
            fileNeedsTruncate = true;
            persistPending(channel);
            channel.force(false);
            durableEntries = persistedEntries;
        }
    }

    /**
     * Records that the file as loaded is complete and durable (it passed the checks of a trusted load, and was
     * fsynced when its segment was rolled or closed), so that closing without a change rewrites nothing.
     */
    public final synchronized void markFileDurable() {
        if (!fileNeedsTruncate && persistedEntries == entries) {
            durableEntries = entries;
        }
    }

    /** Stops every later file operation: the file may be deleted now, and must not be created again. */
    @Override
    public final synchronized void close() {
        closed = true;
        cache.remove(this);
    }
}
