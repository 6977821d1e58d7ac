package io.piste.storage.errors;

import java.io.IOException;

/**
 * An I/O error of the log's files (Kafka's KAFKA_STORAGE_ERROR). {@link #isDiskFull()} tells a full disk, which
 * the broker can wait out, from other failures.
 */
public class LogStorageException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean diskFull;

    public LogStorageException(String message, Throwable cause) {
        super(message, cause);
        this.diskFull = isDiskFull(message) || isDiskFull(cause);
    }

    public boolean isDiskFull() {
        return diskFull;
    }

    /** True if the throwable or one of its causes says "No space left" (ENOSPC as the JDK reports it). */
    public static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof LogStorageException lse && lse.diskFull) {
                return true;
            }
            if (isDiskFull(c.getMessage())) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    private static boolean isDiskFull(String message) {
        return message != null && message.contains("No space left");
    }
}
