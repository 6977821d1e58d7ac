package io.piste.storage.sim;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;

/**
 * An in-memory disk that remembers what was fsynced, file contents and directory entries apart, and at a
 * {@linkplain #powerLoss power loss} keeps only that, plus some of what was not (a torn last write, as on real
 * disks). Reached through the NIO {@link java.nio.file.FileSystem} of {@link #root()}: code that uses only
 * {@code Path}-based NIO ({@code Files.*}, {@code FileChannel.open}, directory streams) runs on it unchanged, so
 * the storage is tested as it is, without a seam of its own.
 *
 * <p>The model, like POSIX without the luck of a friendly file system: a file's content becomes durable only at
 * {@code force()} on a channel of it; a directory entry (create, delete, rename) only at {@code force()} on a
 * channel of the directory ({@code FileChannel.open(dir, READ).force(true)}). After a power loss each file holds
 * its durable content plus, chosen at random per file, none, an in-order prefix (the next one torn), or any subset
 * of its unsynced writes and truncations; each directory its durable entries plus a prefix of its unsynced changes.
 * A file reached by no durable entry is gone, whatever was fsynced in it. Not modelled: data corruption of synced
 * bytes, a failing fsync, reordering below page granularity, and cross-directory renames, which are an unlink
 * and a link in two directories.
 *
 * <p>{@link #syncAll()} is syncfs(2): everything on the disk becomes durable at once.
 *
 * <p>Every mutating operation (write, truncate, force, syncfs, create, delete, rename) is one step. With
 * {@link #crashAtStep} set, the operation that would be that step and every operation after it, reads included,
 * throw {@link SimulatedCrash} until {@link #powerLoss}. Deterministic for a given {@link Random}; thread-safe
 * (one lock), though meant for one thread.
 */
public final class SimulatedDisk {
    private final SimFileSystem fileSystem;
    private SimDirectory root;
    private long nextInodeId = 1;
    private long steps;
    private long crashAtStep = Long.MAX_VALUE;
    private boolean crashed;
    private int generation;

    public SimulatedDisk() {
        this.fileSystem = new SimFileSystem(new SimFileSystemProvider(this));
        this.root = new SimDirectory(nextInodeId++);
    }

    /** The root directory {@code /} of this disk's file system. */
    public Path root() {
        return fileSystem.getPath("/");
    }

    /** Mutating operations done so far (crash points passed). */
    public synchronized long steps() {
        return steps;
    }

    /** The operation that would be step {@code step} (1-based, counted from the start) crashes instead. */
    public synchronized void crashAtStep(long step) {
        crashAtStep = step;
    }

    public synchronized boolean crashed() {
        return crashed;
    }

    /** Power loss: drops what was not fsynced, with {@code random} choosing what else survives; then powers on. */
    public synchronized void powerLoss(Random random) {
        rebuild(random);
    }

    /** Power loss keeping exactly what was fsynced, nothing else. */
    public synchronized void powerLossKeepingOnlySynced() {
        rebuild(null);
    }

    private void rebuild(Random random) {
        Map<SimInode, SimInode> rebuilt = new IdentityHashMap<>();
        root = (SimDirectory) rebuild(root, random, rebuilt);
        crashed = false;
        crashAtStep = Long.MAX_VALUE;
        generation++;
    }

    private SimInode rebuild(SimInode inode, Random random, Map<SimInode, SimInode> rebuilt) {
        SimInode done = rebuilt.get(inode);
        if (done != null) {
            return done;
        }
        SimInode after;
        if (inode instanceof SimDirectory dir) {
            Survival survival =
                    random == null ? Survival.NONE : random.nextBoolean() ? Survival.NONE : Survival.PREFIX_TORN;
            after = dir.afterPowerLoss(nextInodeId++, survival, random, child -> rebuild(child, random, rebuilt));
        } else {
            Survival survival = random == null ? Survival.NONE : Survival.values()[random.nextInt(3)];
            after = ((SimFile) inode).afterPowerLoss(nextInodeId++, survival, random);
        }
        rebuilt.put(inode, after);
        return after;
    }

    /**
     * syncfs(2): every file's content and every directory's entries on this disk become durable, as if each were
     * fsynced. One step (a crash point: a crash at it syncs nothing). Files no entry names any more are left out:
     * a power loss drops them whatever they hold.
     */
    public synchronized void syncAll() {
        step("syncfs", "/");
        syncTree(root);
    }

    private static void syncTree(SimDirectory dir) {
        dir.force();
        for (String name : dir.names()) {
            SimInode child = dir.get(name);
            if (child instanceof SimDirectory sub) {
                syncTree(sub);
            } else {
                ((SimFile) child).force();
            }
        }
    }

    // ---------------------------------------------------------------- used by the file system and channels

    int generation() {
        return generation;
    }

    /** Counts a mutating operation, or crashes. Call holding the lock, before changing anything. */
    void step(String operation, Object target) {
        checkAlive(operation, target);
        steps++;
        if (steps >= crashAtStep) {
            crashed = true;
            throw new SimulatedCrash(
                    "simulated power loss at step=" + steps + " operation=" + operation + " target=" + target);
        }
    }

    void checkAlive(String operation, Object target) {
        if (crashed) {
            throw new SimulatedCrash(
                    "disk is down after the simulated power loss: operation=" + operation + " target=" + target);
        }
    }

    /** The inode at {@code path}, or null. */
    SimInode lookup(Path path) throws IOException {
        return lookupNames(SimPath.absolute(path), path);
    }

    /** The inode at the absolute name path {@code names} of {@code path}, or null. */
    private SimInode lookupNames(Path names, Path path) throws IOException {
        SimInode at = root;
        for (Path name : names) {
            if (!(at instanceof SimDirectory dir)) {
                throw new NotDirectoryException(path.toString());
            }
            at = dir.get(name.toString());
            if (at == null) {
                return null;
            }
        }
        return at;
    }

    SimInode existing(Path path) throws IOException {
        SimInode inode = lookup(path);
        if (inode == null) {
            throw new NoSuchFileException(path.toString());
        }
        return inode;
    }

    /** The directory holding {@code path}; NoSuchFileException if it does not exist. */
    SimDirectory parentOf(Path path) throws IOException {
        Path parent = SimPath.absolute(path).getParent();
        if (parent == null) {
            throw new IOException("the root has no parent: path=" + path);
        }
        SimInode inode = lookupNames(parent, path);
        if (inode == null) {
            throw new NoSuchFileException(parent.toString());
        }
        if (!(inode instanceof SimDirectory dir)) {
            throw new NotDirectoryException(parent.toString());
        }
        return dir;
    }

    static String nameOf(Path path) {
        return SimPath.absolute(path).getFileName().toString();
    }

    SimFile createFile(Path path) throws IOException {
        SimDirectory parent = parentOf(path);
        String name = nameOf(path);
        if (parent.get(name) != null) {
            throw new FileAlreadyExistsException(path.toString());
        }
        step("create", path);
        SimFile file = new SimFile(nextInodeId++);
        parent.link(name, file);
        return file;
    }

    void createDirectory(Path path) throws IOException {
        SimDirectory parent = parentOf(path);
        String name = nameOf(path);
        if (parent.get(name) != null) {
            throw new FileAlreadyExistsException(path.toString());
        }
        step("mkdir", path);
        parent.link(name, new SimDirectory(nextInodeId++));
    }

    void delete(Path path) throws IOException {
        SimDirectory parent = parentOf(path);
        SimInode inode = existing(path);
        if (inode instanceof SimDirectory dir && !dir.isEmpty()) {
            throw new DirectoryNotEmptyException(path.toString());
        }
        step("delete", path);
        parent.unlink(nameOf(path));
    }

    void move(Path source, Path target, boolean replace) throws IOException {
        SimDirectory from = parentOf(source);
        SimInode inode = existing(source);
        SimDirectory to = parentOf(target);
        SimInode replaced = to.get(nameOf(target));
        if (replaced != null && !replace) {
            throw new FileAlreadyExistsException(target.toString());
        }
        if (replaced instanceof SimDirectory dir && !dir.isEmpty()) {
            throw new DirectoryNotEmptyException(target.toString());
        }
        step("rename", source + " -> " + target);
        if (from == to) {
            from.rename(nameOf(source), nameOf(target));
        } else {
            from.unlink(nameOf(source));
            to.link(nameOf(target), inode);
        }
    }
}
