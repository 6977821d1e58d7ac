package io.piste.storage.cleaner;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A fixed-size hash table from the MD5 of a record key to the last offset seen for it, as Kafka's SkimpyOffsetMap:
 * {@code log.cleaner.dedupe.buffer.size} bytes hold {@code bytes / 24} slots (16 bytes of hash, 8 of offset), so a
 * pass of the cleaner maps as many keys as fit and cleans up to there; a log with more keys takes several passes.
 * Two keys with the same MD5 would share a slot (and the older record of one be removed): the odds are Kafka's.
 * Open addressing with linear probing; one array of longs, nothing allocated per key. Not thread-safe: one per
 * cleaner thread.
 */
public final class KeyOffsetMap {
    static final int BYTES_PER_SLOT = 24;

    /** Allocated at the first pass, so that a broker with nothing to compact does not hold the buffer. */
    private long[] table;

    private final int slots;
    private final MessageDigest md5;
    private final byte[] digest = new byte[16];
    private int entries;
    private long latestOffset = -1;

    public KeyOffsetMap(long memoryBytes) {
        long wanted = memoryBytes / BYTES_PER_SLOT;
        if (wanted < 2) {
            throw new IllegalArgumentException("dedupe buffer too small for two keys: bytes=" + memoryBytes);
        }
        this.slots = (int) Math.min(wanted, (Integer.MAX_VALUE - 8) / 3);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }

    public int slots() {
        return slots;
    }

    public int size() {
        return entries;
    }

    /** The largest offset put since the last clear, or -1. */
    public long latestOffset() {
        return latestOffset;
    }

    public void clear() {
        if (table == null) {
            table = new long[slots * 3];
        }
        Arrays.fill(table, 0L);
        entries = 0;
        latestOffset = -1;
    }

    /** Records {@code offset} (increasing from call to call) as the latest for {@code key}. */
    public void put(ByteBuffer key, long offset) {
        if (table == null) {
            clear();
        }
        hash(key);
        long hi = hi();
        long lo = lo();
        int slot = find(hi, lo);
        int at = slot * 3;
        if (table[at + 2] == 0) {
            if (entries >= slots - 1) {
                throw new IllegalStateException("offset map full: slots=" + slots);
            }
            table[at] = hi;
            table[at + 1] = lo;
            entries++;
        }
        table[at + 2] = offset + 1; // 0 marks an empty slot
        latestOffset = offset;
    }

    /** The latest offset put for {@code key}, or -1. */
    public long get(ByteBuffer key) {
        if (table == null) {
            return -1;
        }
        hash(key);
        int at = find(hi(), lo()) * 3;
        return table[at + 2] - 1;
    }

    /** The slot holding this hash, or the empty slot where it would go. */
    private int find(long hi, long lo) {
        int slot = (int) Long.remainderUnsigned(hi, slots);
        while (true) {
            int at = slot * 3;
            if (table[at + 2] == 0 || (table[at] == hi && table[at + 1] == lo)) {
                return slot;
            }
            slot = slot + 1 == slots ? 0 : slot + 1;
        }
    }

    private void hash(ByteBuffer key) {
        md5.update(key.duplicate());
        try {
            md5.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    private long hi() {
        return bytesToLong(0);
    }

    private long lo() {
        return bytesToLong(8);
    }

    private long bytesToLong(int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (digest[i] & 0xFF);
        }
        return v;
    }
}
