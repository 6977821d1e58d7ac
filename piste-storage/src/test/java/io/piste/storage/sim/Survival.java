package io.piste.storage.sim;

/** Which of a file's or directory's unsynced changes a power loss keeps. */
enum Survival {
    /** None: only what was fsynced. */
    NONE,
    /** A random prefix, in the order they were made; for a file, the first change left out may be torn. */
    PREFIX_TORN,
    /** A random subset, each change kept or not independently (file changes only; directories keep a prefix). */
    ANY_SUBSET
}
