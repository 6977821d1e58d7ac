package io.piste.storage.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A regular file: the content the running system sees, the content last made durable by a fsync of the file, and
 * the writes and truncations made since, in order. Guarded by the {@link SimulatedDisk}'s lock.
 */
final class SimFile extends SimInode {
    private byte[] data = new byte[0];
    private int size;
    private byte[] durable = new byte[0];
    private final List<Change> unsynced = new ArrayList<>();

    /** A write of {@code bytes} at {@code position} or, with {@code bytes == null}, a truncation to it. */
    private record Change(long position, byte[] bytes) {}

    SimFile(long id) {
        super(id);
    }

    int size() {
        return size;
    }

    int read(long position, byte[] dst, int dstOffset, int length) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(length, size - position);
        System.arraycopy(data, (int) position, dst, dstOffset, n);
        return n;
    }

    void write(long position, byte[] bytes) {
        apply(position, bytes);
        unsynced.add(new Change(position, bytes));
    }

    void truncate(long newSize) {
        if (newSize < size) {
            apply(newSize, null);
            unsynced.add(new Change(newSize, null));
        }
    }

    /** fsync: the current content becomes the durable one. */
    void force() {
        durable = Arrays.copyOf(data, size);
        unsynced.clear();
    }

    private void apply(long position, byte[] bytes) {
        if (position + (bytes == null ? 0 : bytes.length) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("simulated files hold at most 2 GiB: position=" + position);
        }
        int pos = (int) position;
        if (bytes == null) {
            size = Math.min(size, pos);
            return;
        }
        int end = pos + bytes.length;
        if (end > data.length) {
            data = Arrays.copyOf(data, Math.max(end, data.length * 2));
        }
        if (pos > size) {
            Arrays.fill(data, size, pos, (byte) 0);
        }
        System.arraycopy(bytes, 0, data, pos, bytes.length);
        size = Math.max(size, end);
    }

    /**
     * The file as a disk holds it after a power loss: the durable content plus some of the unsynced changes, as
     * {@code survival} picks them. The result has no unsynced changes.
     */
    SimFile afterPowerLoss(long newId, Survival survival, Random random) {
        SimFile after = new SimFile(newId);
        after.data = durable.clone();
        after.size = durable.length;
        switch (survival) {
            case NONE -> {}
            case PREFIX_TORN -> {
                // Changes reach the disk in order; the one under way at the cut is torn at a random byte.
                int whole = random.nextInt(unsynced.size() + 1);
                for (int i = 0; i < whole; i++) {
                    after.apply(unsynced.get(i).position, unsynced.get(i).bytes);
                }
                if (whole < unsynced.size() && unsynced.get(whole).bytes != null) {
                    Change torn = unsynced.get(whole);
                    after.apply(torn.position, Arrays.copyOf(torn.bytes, random.nextInt(torn.bytes.length + 1)));
                }
            }
            case ANY_SUBSET -> {
                // Page-cache write-back is in no particular order: any of the changes may have reached the disk.
                for (Change change : unsynced) {
                    if (random.nextBoolean()) {
                        after.apply(change.position, change.bytes);
                    }
                }
            }
            default -> throw new IllegalStateException("unknown survival: " + survival);
        }
        after.force();
        return after;
    }
}
