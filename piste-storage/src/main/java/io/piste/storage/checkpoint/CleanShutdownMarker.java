package io.piste.storage.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The empty file {@code .kafka_cleanshutdown} in a log directory: present means every log in it was closed
 * cleanly, so no recovery scan is needed. The broker deletes it at start-up and writes it after closing all logs.
 * Stateless.
 */
public final class CleanShutdownMarker {
    public static final String FILE_NAME = ".kafka_cleanshutdown";

    private CleanShutdownMarker() {}

    public static boolean exists(Path logDir) {
        return Files.exists(logDir.resolve(FILE_NAME));
    }

    /** Writes the marker durably. Call it only once every log of {@code logDir} was flushed and closed. */
    public static void write(Path logDir) throws IOException {
        Files.createDirectories(logDir);
        AtomicFiles.write(logDir.resolve(FILE_NAME), ByteBuffer.allocate(0), true);
    }

    /**
     * Deletes the marker durably.
     *
     * @throws IOException if it could not be deleted or the deletion not made durable: a marker that comes back
     *         after a crash would skip the recovery of logs written since, so the caller must not use the dir
     */
    public static void delete(Path logDir) throws IOException {
        Files.deleteIfExists(logDir.resolve(FILE_NAME));
        AtomicFiles.fsyncDirectory(logDir);
    }
}
