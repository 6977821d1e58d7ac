package io.piste.storage.log;

import java.io.Closeable;
import java.io.IOException;

/**
 * A handle on the file system of one log dir that makes durable, in one call, every file's data and every directory
 * entry written on that file system before the call: the group commit's one sync per log dir per round, whatever the
 * number of partitions written. Opened once per log dir before any log in it is written, so that a failed write-back
 * of anything written since is reported by the next {@link #sync()} (Linux samples the file system's error state
 * when the descriptor is opened). Obtained from {@link FileChannelFactory#openFileSystemSync}.
 */
public interface FileSystemSync extends Closeable {

    /**
     * Makes everything written on the file system before this call durable. A failure means that some write-back
     * on it failed since the last successful call: nothing written there since may be taken as durable.
     */
    void sync() throws IOException;
}
