package io.piste.storage.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A directory: the entries the running system sees, the entries last made durable by a fsync of the directory,
 * and the links, unlinks and renames made since, in order. A rename inside one directory is one change, atomic as
 * in a journaling file system. Guarded by the {@link SimulatedDisk}'s lock.
 */
final class SimDirectory extends SimInode {
    private final TreeMap<String, SimInode> entries = new TreeMap<>();
    private TreeMap<String, SimInode> durable = new TreeMap<>();
    private final List<Change> unsynced = new ArrayList<>();

    /** Links {@code inode} as {@code to} (null: unlinks {@code to}) after unlinking {@code from} (if not null). */
    private record Change(String from, String to, SimInode inode) {}

    SimDirectory(long id) {
        super(id);
    }

    SimInode get(String name) {
        return entries.get(name);
    }

    /** The names, sorted. */
    List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    void link(String name, SimInode inode) {
        change(new Change(null, name, inode));
    }

    void unlink(String name) {
        change(new Change(name, null, null));
    }

    void rename(String from, String to) {
        change(new Change(from, to, entries.get(from)));
    }

    private void change(Change change) {
        apply(entries, change);
        unsynced.add(change);
    }

    private static void apply(TreeMap<String, SimInode> target, Change change) {
        if (change.from != null) {
            target.remove(change.from);
        }
        if (change.to != null) {
            target.put(change.to, change.inode);
        }
    }

    /** fsync of the directory: its current entries become the durable ones. */
    void force() {
        durable = new TreeMap<>(entries);
        unsynced.clear();
    }

    /**
     * The directory as a disk holds it after a power loss: the durable entries plus a prefix of the unsynced
     * changes (none with {@link Survival#NONE}), each entry's inode rebuilt by {@code rebuild}.
     */
    SimDirectory afterPowerLoss(long newId, Survival survival, Random random, Function<SimInode, SimInode> rebuild) {
        TreeMap<String, SimInode> kept = new TreeMap<>(durable);
        int survivors = survival == Survival.NONE ? 0 : random.nextInt(unsynced.size() + 1);
        for (int i = 0; i < survivors; i++) {
            apply(kept, unsynced.get(i));
        }
        SimDirectory after = new SimDirectory(newId);
        kept.forEach((name, inode) -> after.entries.put(name, rebuild.apply(inode)));
        after.force();
        return after;
    }
}
