package io.piste.storage.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Segments a cleaning replaced: their files are renamed to {@code .deleted} but still open, so that a read or
 * fetch that found them before the swap completes. {@link #delete()} closes and removes them, after
 * {@code file.delete.delay.ms} (the caller's schedule). Files left behind by a crash are removed at the next load.
 */
public final class RetiredSegments {
    private final Path dir;
    private final List<LogSegment> segments;

    RetiredSegments(Path dir, List<LogSegment> segments) {
        this.dir = dir;
        this.segments = List.copyOf(segments);
    }

    /** Closes the old segments (writing nothing) and deletes their {@code .deleted} files. */
    public void delete() throws IOException {
        IOException failure = null;
        for (LogSegment segment : segments) {
            try {
                segment.closeQuietly();
                for (Path p : LogFiles.segmentFiles(dir, segment.baseOffset(), LogFiles.DELETED_SUFFIX)) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    public int count() {
        return segments.size();
    }

    @Override
    public String toString() {
        return "RetiredSegments(dir=" + dir + ", count=" + segments.size() + ")";
    }
}
