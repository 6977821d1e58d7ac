package io.piste.storage.log;

import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * How dirty a compacted log that is not open is, read from its directory without opening it: a listing, the sizes
 * of the {@code .log} files, and the first batch header of the first dirty segment (for {@code max.compaction.lag.ms}).
 * A segment runs from its base offset to the next one's; the last (the active one) is never counted. The measure errs
 * towards dirty (the high watermark and the recovery point are not known here): the cleaner opens the log and
 * measures it exactly before cleaning anything, so a wrong yes costs an open, a no costs nothing. Stateless.
 */
public final class CompactionProbe {

    /**
     * Bytes of the inactive segments at or above the log start, clean (wholly below the first dirty offset) and dirty,
     * and the max timestamp of the first dirty segment's first batch (-1 if there is none or it cannot be read).
     */
    public record Measure(long cleanBytes, long dirtyBytes, long firstDirtyBatchTimestampMs) {}

    private CompactionProbe() {}

    /** {@code firstDirtyOffset}: the cleaner's checkpoint, or -1 (then everything from the log start is dirty). */
    public static Measure measure(Path dir, long logStartOffset, long firstDirtyOffset) throws IOException {
        List<long[]> segments = new ArrayList<>(); // {baseOffset, sizeInBytes}
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + LogFiles.LOG_SUFFIX)) {
                for (Path p : stream) {
                    long base = LogFiles.offsetFromFileName(p.getFileName().toString(), LogFiles.LOG_SUFFIX);
                    if (base >= 0) {
                        segments.add(new long[] {base, Files.size(p)});
                    }
                }
            }
        }
        segments.sort((a, b) -> Long.compare(a[0], b[0]));
        long firstDirty = Math.max(firstDirtyOffset, logStartOffset);
        long clean = 0;
        long dirty = 0;
        long firstDirtyBase = -1;
        for (int i = 0; i + 1 < segments.size(); i++) {
            long base = segments.get(i)[0];
            long end = segments.get(i + 1)[0];
            if (end <= logStartOffset) {
                continue; // retention's to delete
            }
            if (end <= firstDirty) {
                clean += segments.get(i)[1];
            } else {
                dirty += segments.get(i)[1];
                if (firstDirtyBase < 0) {
                    firstDirtyBase = base;
                }
            }
        }
        long timestamp = firstDirtyBase < 0 ? -1 : firstBatchMaxTimestamp(LogFiles.logFile(dir, firstDirtyBase));
        return new Measure(clean, dirty, timestamp);
    }

    private static long firstBatchMaxTimestamp(Path logFile) throws IOException {
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.READ)) {
            if (channel.size() < RecordBatchView.HEADER_SIZE) {
                return -1;
            }
            ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
            LogFiles.readFully(channel, header, 0);
            return header.getLong(RecordBatchView.MAX_TIMESTAMP_OFFSET);
        }
    }
}
