package io.piste.storage.log;

import io.piste.storage.index.TimeIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether retention may have something to delete in a log that is not open, read from its directory without opening
 * it: a listing, the sizes of the {@code .log} files, and the last entry of the oldest segment's time index (the
 * segment's largest timestamp, written when it was rolled; the file's modification time when that entry is missing).
 * A yes means "open the log and let {@link LogRetention} decide", so it errs towards yes; a no costs nothing. Why not
 * open every log at each check: logs open at their first use, and a broker holding thousands that nobody reads would
 * open them all every {@code log.retention.check.interval.ms}. Stateless.
 */
public final class RetentionProbe {

    private RetentionProbe() {}

    /** True if the log in {@code dir} may be over {@code retention.bytes} or hold a segment past {@code retention.ms}. */
    public static boolean mayBreachRetention(Path dir, LogCleanupConfig config, long nowMs) throws IOException {
        if (!config.delete() || (config.retentionMs() < 0 && config.retentionBytes() < 0) || !Files.isDirectory(dir)) {
            return false;
        }
        long totalBytes = 0;
        long oldestBase = Long.MAX_VALUE;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + LogFiles.LOG_SUFFIX)) {
            for (Path p : stream) {
                long base = LogFiles.offsetFromFileName(p.getFileName().toString(), LogFiles.LOG_SUFFIX);
                if (base >= 0) {
                    totalBytes += Files.size(p);
                    oldestBase = Math.min(oldestBase, base);
                }
            }
        }
        if (oldestBase == Long.MAX_VALUE || totalBytes == 0) {
            return false;
        }
        if (config.retentionBytes() >= 0 && totalBytes >= config.retentionBytes()) {
            return true;
        }
        return config.retentionMs() >= 0 && nowMs - largestTimestamp(dir, oldestBase) > config.retentionMs();
    }

    private static long largestTimestamp(Path dir, long baseOffset) throws IOException {
        Path timeIndex = LogFiles.timeIndexFile(dir, baseOffset);
        if (Files.exists(timeIndex)) {
            try (FileChannel channel = FileChannel.open(timeIndex, StandardOpenOption.READ)) {
                long entries = channel.size() / TimeIndex.ENTRY_SIZE_BYTES;
                if (entries > 0) {
                    ByteBuffer entry = ByteBuffer.allocate(TimeIndex.ENTRY_SIZE_BYTES);
                    LogFiles.readFully(channel, entry, (entries - 1) * TimeIndex.ENTRY_SIZE_BYTES);
                    long timestamp = entry.getLong(0);
                    if (timestamp > 0) {
                        return timestamp;
                    }
                }
            }
        }
        return Files.getLastModifiedTime(LogFiles.logFile(dir, baseOffset)).toMillis();
    }
}
