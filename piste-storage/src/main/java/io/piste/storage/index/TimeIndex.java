package io.piste.storage.index;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from timestamps to offsets in one segment. File {@code <baseOffset>.timeindex} is a sequence of
 * 12-byte big-endian entries:
 *
 * <pre>
 *  0  timestamp       int64   largest batch maxTimestamp seen in the segment so far
 *  8  relativeOffset  int32   baseOffset of the batch that first reached it, minus the segment baseOffset
 * </pre>
 *
 * Timestamps strictly increase, offsets never decrease. An entry (t, o) says: batch o has maxTimestamp t and no
 * batch before o has a larger one. The last entry of an inactive segment is the segment's maximum. Threads: see
 * {@link AbstractIndex}.
 */
public final class TimeIndex extends AbstractIndex {
    public static final int ENTRY_SIZE_BYTES = 12;

    private TimeIndex(Path file, IndexFileOpener opener, long baseOffset, int maxIndexSizeBytes) {
        super(file, opener, baseOffset, maxIndexSizeBytes, ENTRY_SIZE_BYTES, 2);
    }

    /**
     * An index over an existing or new file (created empty if missing), loaded unchecked: the caller validates its
     * entries. The file is closed again once read.
     */
    public static TimeIndex open(Path file, IndexFileOpener opener, long baseOffset, int maxIndexSizeBytes)
            throws java.io.IOException {
        TimeIndex index = new TimeIndex(file, opener, baseOffset, maxIndexSizeBytes);
        index.loadFromFile();
        return index;
    }

    /** Adds (timestamp, offset) if the timestamp is larger than the last entry's; returns whether it was added. */
    public boolean maybeAppend(long timestamp, long offset) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "offset outside index range: offset=" + offset + " baseOffset=" + baseOffset);
        }
        int n = entries();
        if (n > 0 && (timestamp <= lastSlot(0) || rel < lastSlot(1))) {
            return false;
        }
        appendEntry(timestamp, rel);
        return true;
    }

    /** Offset of the largest entry whose timestamp is at most {@code targetTimestamp}; the base offset if none. */
    public long lookup(long targetTimestamp) {
        int n = entries();
        long[] s = slots();
        n = searchable(n, s);
        if (n == 0 || s[0] > targetTimestamp) {
            return baseOffset;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (s[mid * 2] <= targetTimestamp) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return baseOffset + s[lo * 2 + 1];
    }

    public long entryTimestamp(int i) {
        return slot(i, 0);
    }

    @Override
    public long entryOffset(int i) {
        return baseOffset + slot(i, 1);
    }

    /** Timestamp of the last entry, or Long.MIN_VALUE if empty. */
    public long lastTimestamp() {
        return entries() == 0 ? Long.MIN_VALUE : lastSlot(0);
    }

    @Override
    boolean inOrder(long[] s, int n) {
        for (int i = 0; i < n; i++) {
            if (s[i * 2 + 1] < 0 || (i > 0 && (s[i * 2] <= s[i * 2 - 2] || s[i * 2 + 1] < s[i * 2 - 1]))) {
                return false;
            }
        }
        return true;
    }

    @Override
    void decode(ByteBuffer in, long[] slots, int slot) {
        slots[slot] = in.getLong();
        slots[slot + 1] = in.getInt();
    }

    @Override
    void encode(ByteBuffer out, long[] slots, int slot) {
        out.putLong(slots[slot]);
        out.putInt((int) slots[slot + 1]);
    }
}
