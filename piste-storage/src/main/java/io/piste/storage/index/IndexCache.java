package io.piste.storage.index;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entries of recently used indexes of inactive segments, bounded by bytes; the least recently used are dropped
 * first. An index of an inactive segment keeps no entries in heap ({@link AbstractIndex#dropFromHeap()}): a lookup
 * takes them from here, or reads the index file (open, positional reads, close) and puts them here. So the heap an
 * index costs is bounded by this cache however many segments the logs hold; only active segments keep theirs.
 *
 * <p>One cache per JVM ({@link #shared()}), with a fixed bound ({@link #DEFAULT_MAX_BYTES}) rather than a broker
 * config: every index that the default {@code segment.index.bytes} (10 MiB) allows fits (at most 10 MiB of offset
 * entries, 13.3 MiB of time entries as held in heap), and 32 MiB keeps 16 offset indexes of full 1 GiB segments at
 * the default {@code index.interval.bytes} (2 MiB each): the segments that a dozen consumers catching up read at
 * once. A miss costs one read of a whole index file, about 2 MiB per GiB of log read, so a reader going through an
 * old segment pays it once per segment. Entries larger than half the bound are not kept: the lookup that read them
 * uses them once (a topic with a much larger {@code segment.index.bytes} pays one read per lookup of its old segments).
 *
 * <p>Threads: any; every method holds the cache's lock briefly, never during file I/O.
 */
public final class IndexCache {
    /** The bound of the shared cache, in bytes of heap (entries plus bookkeeping). */
    public static final long DEFAULT_MAX_BYTES = 32L << 20;

    /** Heap counted per cached index on top of its entries: the map entry, its node in the order, the array header. */
    static final int OVERHEAD_BYTES = 96;

    private static final IndexCache SHARED = new IndexCache(DEFAULT_MAX_BYTES);

    private final long maxBytes;
    /** Access order: the eldest is the least recently used. Keys are compared by identity (indexes do not override equals). */
    private final LinkedHashMap<AbstractIndex, long[]> contents = new LinkedHashMap<>(64, 0.75f, true);

    private long bytes;
    private long misses;

    IndexCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The cache every index of this JVM uses. */
    public static IndexCache shared() {
        return SHARED;
    }

    /** The entries cached for {@code index}, or null; a hit makes them the most recently used. */
    synchronized long[] get(AbstractIndex index) {
        return contents.get(index);
    }

    /** Caches the entries of {@code index} (read from its file), dropping the least recently used beyond the bound. */
    synchronized void put(AbstractIndex index, long[] entries) {
        misses++;
        long size = sizeOf(entries);
        if (size > maxBytes / 2) {
            return;
        }
        long[] previous = contents.put(index, entries);
        if (previous != null) {
            bytes -= sizeOf(previous);
        }
        bytes += size;
        Iterator<Map.Entry<AbstractIndex, long[]>> eldest = contents.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<AbstractIndex, long[]> e = eldest.next();
            bytes -= sizeOf(e.getValue());
            eldest.remove();
        }
    }

    /** Forgets the entries of {@code index} (closed, deleted, or holding its entries in heap again). */
    synchronized void remove(AbstractIndex index) {
        long[] previous = contents.remove(index);
        if (previous != null) {
            bytes -= sizeOf(previous);
        }
    }

    /** Forgets every cached entry: the next lookup of each index reads its file (benchmarks measure that miss). */
    public synchronized void clear() {
        contents.clear();
        bytes = 0;
    }

    private static long sizeOf(long[] entries) {
        return 8L * entries.length + OVERHEAD_BYTES;
    }

    /** Heap held now, by this cache's accounting; never above {@link #maxBytes()}. */
    public synchronized long bytes() {
        return bytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Index files read since the start because their entries were not cached. */
    public synchronized long misses() {
        return misses;
    }

    /** Indexes whose entries are cached now. */
    public synchronized int size() {
        return contents.size();
    }
}
