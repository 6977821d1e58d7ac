package io.piste.storage.log;

import io.piste.storage.errors.LogStorageException;
import java.io.IOException;

/**
 * Whether a log is offline: the first failed fsync (or file system sync, or segment swap) of the log, kept for good.
 * Linux marks the pages whose write-back failed as clean, so a later fsync would succeed without the data being on
 * disk; only a recovery scan at the next open can tell, so once failed the log stays offline until it is reopened.
 *
 * <p>Threads: any. The owner ({@link UnifiedLog}) sets it under its flush lock, so that a flush never moves the
 * recovery point past a failure it did not see.
 */
final class LogHealth {
    /** The first failure, or null; set once. */
    private volatile IOException failure;

    /** Takes the log offline (keeping the first failure); returns the error to throw. */
    LogStorageException fail(String what, IOException cause) {
        synchronized (this) {
            if (failure == null) {
                failure = cause;
            }
        }
        return new LogStorageException(
                what + " reason=" + cause.getMessage() + "; the log is offline until it is opened again", cause);
    }

    /** Throws if the log is offline; {@code dir} and {@code recoveryPoint} name it in the message. */
    void failIfOffline(Object dir, long recoveryPoint) throws LogStorageException {
        IOException f = failure;
        if (f != null) {
            throw new LogStorageException(
                    "log is offline after a failed fsync: dir=" + dir + " recoveryPoint=" + recoveryPoint + " reason="
                            + f.getMessage(),
                    f);
        }
    }

    boolean isOffline() {
        return failure != null;
    }
}
