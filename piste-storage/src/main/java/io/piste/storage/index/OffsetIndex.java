package io.piste.storage.index;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from offsets to file positions in one segment. File {@code <baseOffset>.index} is a sequence of
 * 8-byte big-endian entries:
 *
 * <pre>
 *  0  relativeOffset  int32   batch baseOffset - segment baseOffset
 *  4  position        int32   byte position of that batch in the .log file
 * </pre>
 *
 * Both fields strictly increase. The index can always be rebuilt from the log; in the event of a crash it is
 * checked and rebuilt past the recovery point. Threads: see {@link AbstractIndex}.
 */
public final class OffsetIndex extends AbstractIndex {
    public static final int ENTRY_SIZE_BYTES = 8;

    private OffsetIndex(Path file, IndexFileOpener opener, long baseOffset, int maxIndexSizeBytes) {
        super(file, opener, baseOffset, maxIndexSizeBytes, ENTRY_SIZE_BYTES, 1);
    }

    /**
     * An index over an existing or new file (created empty if missing), loaded unchecked: the caller validates its
     * entries. The file is closed again once read.
     */
    public static OffsetIndex open(Path file, IndexFileOpener opener, long baseOffset, int maxIndexSizeBytes)
            throws java.io.IOException {
        OffsetIndex index = new OffsetIndex(file, opener, baseOffset, maxIndexSizeBytes);
        index.loadFromFile();
        return index;
    }

    /** Packs an entry as (relativeOffset << 32 | position). */
    public static long pack(int relativeOffset, int position) {
        return ((long) relativeOffset << 32) | (position & 0xFFFFFFFFL);
    }

    public static int relativeOffset(long packed) {
        return (int) (packed >>> 32);
    }

    public static int position(long packed) {
        return (int) packed;
    }

    /**
     * Adds an entry if it lies after the last one (both offset and position); returns whether it was added.
     * The offset must be within int range of the base offset.
     */
    public boolean append(long offset, int position) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "offset outside index range: offset=" + offset + " baseOffset=" + baseOffset);
        }
        int n = entries();
        if (n > 0) {
            long last = lastSlot(0);
            if (rel <= relativeOffset(last) || position <= position(last)) {
                return false;
            }
        }
        appendEntry(pack((int) rel, position), 0);
        return true;
    }

    /**
     * Largest entry whose offset is at most {@code targetOffset}, packed (see {@link #pack}); (0, 0), i.e. the
     * segment start, when there is none.
     */
    public long lookup(long targetOffset) {
        int n = entries();
        long[] s = slots();
        n = searchable(n, s);
        long rel = targetOffset - baseOffset;
        if (n == 0 || rel < relativeOffset(s[0])) {
            return 0L;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (relativeOffset(s[mid]) <= rel) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return s[lo];
    }

    /**
     * Index of the last entry whose position is at most {@code maxPosition} and whose offset is at most
     * {@code maxOffset}, or -1 if the first entry already exceeds either. Both fields increase with the entry
     * index, so one binary search finds it.
     */
    public int lastEntryAtOrBelow(long maxPosition, long maxOffset) {
        int n = entries();
        long[] s = slots();
        return lastEntryAtOrBelow(s, searchable(n, s), maxPosition, maxOffset);
    }

    /**
     * The position of the entry {@link #lastEntryAtOrBelow(long, long)} finds, or -1: one search over one copy of the
     * entries, which for an inactive segment may be read from the file again between two calls.
     */
    public int positionOfLastEntryAtOrBelow(long maxPosition, long maxOffset) {
        int n = entries();
        long[] s = slots();
        int entry = lastEntryAtOrBelow(s, searchable(n, s), maxPosition, maxOffset);
        return entry < 0 ? -1 : position(s[entry]);
    }

    private int lastEntryAtOrBelow(long[] s, int n, long maxPosition, long maxOffset) {
        long maxRel = maxOffset - baseOffset;
        int lo = -1;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (position(s[mid]) <= maxPosition && relativeOffset(s[mid]) <= maxRel) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public long entryOffset(int i) {
        return baseOffset + relativeOffset(slot(i, 0));
    }

    public int entryPosition(int i) {
        return position(slot(i, 0));
    }

    /** Offset of the last entry, or the base offset if empty. */
    public long lastOffset() {
        return entries() == 0 ? baseOffset : baseOffset + relativeOffset(lastSlot(0));
    }

    @Override
    boolean inOrder(long[] s, int n) {
        for (int i = 0; i < n; i++) {
            if (relativeOffset(s[i]) < 0
                    || position(s[i]) < 0
                    || (i > 0
                            && (relativeOffset(s[i]) <= relativeOffset(s[i - 1])
                                    || position(s[i]) <= position(s[i - 1])))) {
                return false;
            }
        }
        return true;
    }

    @Override
    void decode(ByteBuffer in, long[] slots, int slot) {
        int rel = in.getInt();
        int pos = in.getInt();
        slots[slot] = pack(rel, pos);
    }

    @Override
    void encode(ByteBuffer out, long[] slots, int slot) {
        out.putInt(relativeOffset(slots[slot]));
        out.putInt(position(slots[slot]));
    }
}
