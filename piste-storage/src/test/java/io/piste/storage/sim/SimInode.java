package io.piste.storage.sim;

/** A file or directory of the {@link SimulatedDisk}, named by the directory entries that point at it. */
abstract class SimInode {
    private final long id;

    SimInode(long id) {
        this.id = id;
    }

    long id() {
        return id;
    }
}
