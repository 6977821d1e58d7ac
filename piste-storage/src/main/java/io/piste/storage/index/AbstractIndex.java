package io.piste.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entries of a sparse index kept in a growable {@code long[]} (the truth) and appended to the index file with
 * positional writes (a copy that may lag behind).
 *
 * <p>Design note: the file is not memory-mapped because a write to a mapped page on a full filesystem raises
 * SIGBUS and kills the JVM. A failed file write leaves the in-memory entries intact; the entries not yet in the
 * file are written by the next append, {@link #flush()} or {@link #writeFully()}.
 *
 * <p>Threads: one writer (appends, truncation) at a time; lookups from any thread without locking, through the
 * volatile {@code slots}/{@code entries} pair (the array is published before the count that covers it).
 * File operations are synchronized so that a flush may run on another thread.
 */
abstract class AbstractIndex implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractIndex.class);
    /** Entries an append's write can take without allocating: usually one, a few after a failed write. */
    private static final int SCRATCH_ENTRIES = 8;

    protected final long baseOffset;
    private final Path file;
    private final FileChannel channel;
    private final int entrySizeBytes;
    private final int slotsPerEntry;
    private final int maxEntries;

    private volatile long[] slots;
    private volatile int entries;

    private int persistedEntries;
    // Guarded by this, like the other file state; allocated at the first write.
    private ByteBuffer scratch;
    private boolean fileNeedsTruncate;
    private boolean writeFailureLogged;

    AbstractIndex(
            Path file,
            FileChannel channel,
            long baseOffset,
            int maxIndexSizeBytes,
            int entrySizeBytes,
            int slotsPerEntry) {
        this.file = file;
        this.channel = channel;
        this.baseOffset = baseOffset;
        this.entrySizeBytes = entrySizeBytes;
        this.slotsPerEntry = slotsPerEntry;
        this.maxEntries = Math.max(1, maxIndexSizeBytes / entrySizeBytes);
        this.slots = new long[16 * slotsPerEntry];
    }

    /** Reads every whole entry of the file into memory, unchecked; a torn trailing entry is dropped. */
    final void loadFromFile() throws IOException {
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

    /** Current array; read {@link #entries()} first, then this, to see a consistent prefix. */
    final long[] slots() {
        return slots;
    }

    final long slot(int entry, int field) {
        return slots[entry * slotsPerEntry + field];
    }

    /** Adds an entry in memory, then tries to append it (and any earlier unwritten ones) to the file. */
    final void appendEntry(long first, long second) {
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
        tryPersist();
    }

    /** The absolute offset of entry {@code i}. */
    public abstract long entryOffset(int i);

    /** Removes the entries whose offset is {@code >= offset}. */
    public final void truncateTo(long offset) {
        int n = entries();
        int keep = 0;
        while (keep < n && entryOffset(keep) < offset) {
            keep++;
        }
        truncateToEntries(keep);
    }

    /** Keeps the first {@code count} entries, in memory at once and in the file as soon as it can be truncated. */
    public final synchronized void truncateToEntries(int count) {
        if (count >= entries) {
            return;
        }
        entries = Math.max(0, count);
        if (persistedEntries > entries) {
            persistedEntries = entries;
        }
        fileNeedsTruncate = true;
        tryPersist();
    }

    /** Brings the file up to date with memory; logs (once per failure streak) and returns false if it cannot. */
    public final synchronized boolean tryPersist() {
        try {
            persistPending();
            writeFailureLogged = false;
            return true;
        } catch (IOException e) {
            if (!writeFailureLogged) {
                writeFailureLogged = true;
                LOG.warn(
                        "Index write failed, entries kept in memory: file={} entries={} reason={}",
                        file,
                        entries,
                        e.getMessage());
            }
            return false;
        }
    }

    private void persistPending() throws IOException {
        if (fileNeedsTruncate) {
            channel.truncate((long) persistedEntries * entrySizeBytes);
            fileNeedsTruncate = false;
        }
        int n = entries;
        if (persistedEntries >= n) {
            return;
        }
        long[] s = slots;
        ByteBuffer buf = bufferFor(n - persistedEntries);
        for (int i = persistedEntries; i < n; i++) {
            encode(buf, s, i * slotsPerEntry);
        }
        buf.flip();
        long pos = (long) persistedEntries * entrySizeBytes;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
        persistedEntries = n;
    }

    /**
     * A cleared buffer for {@code count} entries. An append writes one entry: that reuses a small buffer, so
     * the produce path allocates nothing here; rarer bulk writes (close, catching up after a failure) get their own.
     */
    private ByteBuffer bufferFor(int count) {
        int bytes = count * entrySizeBytes;
        if (count > SCRATCH_ENTRIES) {
            return ByteBuffer.allocate(bytes);
        }
        if (scratch == null) {
            scratch = ByteBuffer.allocate(SCRATCH_ENTRIES * entrySizeBytes);
        }
        scratch.clear().limit(bytes);
        return scratch;
    }

    /** Writes pending entries (tolerating failure, see {@link #tryPersist()}) and fsyncs the file. */
    public final synchronized void flush() throws IOException {
        tryPersist();
        channel.force(false);
    }

    /** Rewrites the whole file from memory, cuts it to the exact size and fsyncs it; used at close. */
    public final synchronized void writeFully() throws IOException {
        persistedEntries = 0;
        fileNeedsTruncate = true;
        persistPending();
        channel.force(false);
    }

    @Override
    public final void close() throws IOException {
        channel.close();
    }
}
