package io.piste.broker.partition;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What DescribeLogDirs reports of each log dir: whether it is offline, and the size of each partition in it.
 *
 * <p>A partition whose log is open reports its segments' size ({@code UnifiedLog.sizeInBytes}). A log nobody has
 * opened yet (logs open at first use) is not opened for this: the size is the sum of its {@code .log} files in a
 * listing of its directory. After a clean stop that is exactly the size the open would give (a close cuts each
 * segment to its size); after an unclean one it may still count a torn tail that the open would cut. Opening every
 * log to answer an admin request would undo what opening at first use saves (a file descriptor per segment, the
 * recovery of logs nobody uses).
 *
 * <p>A log dir is offline once a sync of its file system failed ({@code LogFlusher}); a single log offline after its
 * own failed fsync leaves the others of its dir serving, and is still listed with its size.
 */
public final class LogDirUsage {
    private static final Logger LOG = LoggerFactory.getLogger(LogDirUsage.class);
    private static final int SEGMENT_NAME_DIGITS = 20;

    /** One log dir: its path as configured, whether it is offline, the partitions in it. */
    public record Dir(Path path, boolean offline, List<Replica> replicas) {}

    /** One partition's log in a log dir. */
    public record Replica(String topic, int partition, long sizeBytes) {}

    private LogDirUsage() {}

    static List<Dir> describe(List<Path> logDirs, Set<Path> offline, Consumer<Consumer<PartitionSlot>> forEachSlot) {
        Map<Path, List<Replica>> byDir = new LinkedHashMap<>();
        for (Path dir : logDirs) {
            byDir.put(dir, new ArrayList<>());
        }
        forEachSlot.accept(slot -> {
            Path logDir = slot.logDir();
            List<Replica> replicas = logDir == null ? null : byDir.get(logDir);
            if (replicas == null || offline.contains(logDir)) {
                return;
            }
            long size = sizeOf(slot, logDir);
            if (size >= 0) {
                replicas.add(new Replica(slot.topic(), slot.index(), size));
            }
        });
        List<Dir> dirs = new ArrayList<>();
        byDir.forEach((dir, replicas) -> dirs.add(new Dir(dir, offline.contains(dir), replicas)));
        return dirs;
    }

    /** The partition's size, or -1 if it has no directory (not created yet, or deleted meanwhile). */
    private static long sizeOf(PartitionSlot slot, Path logDir) {
        Partition opened = slot.opened();
        if (opened != null) {
            return opened.log().sizeInBytes();
        }
        Path dir = logDir.resolve(slot.topic() + "-" + slot.index());
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
            for (Path file : files) {
                if (file.getFileName().toString().length() == SEGMENT_NAME_DIGITS + ".log".length()) {
                    total += sizeOrZero(file);
                }
            }
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            LOG.warn("Could not list the segments of {} for DescribeLogDirs: {}", dir, e.toString());
            return -1;
        }
        return total;
    }

    /** A segment deleted between the listing and now (retention) counts for nothing. */
    private static long sizeOrZero(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }
}
