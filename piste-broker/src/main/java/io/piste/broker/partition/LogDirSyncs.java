package io.piste.broker.partition;

import io.piste.broker.config.BrokerConfig;
import io.piste.storage.log.FileChannelFactory;
import io.piste.storage.log.FileSystemSync;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file system sync (syncfs) of each log dir, the number of dirty partitions from which a round uses it, and the
 * log dirs whose sync failed. A log dir without one ({@code log.flush.method=fsync}, or syncfs not usable here), or
 * a round with fewer dirty partitions in it, is flushed file by file. {@code auto} (the default) uses syncfs from
 * {@value #AUTO_MIN_PARTITIONS} dirty partitions: in the broker, with 6 and 200 partitions, it took 26 to 48 % less of
 * the broker's CPU per GB than the pool of fsyncs and produced 4 to 34 % more MB/s (one device flush per round instead
 * of one per file; docs/benchmarks.md "syncfs from two partitions"). Its price is that it also flushes whatever
 * another program dirtied on the same file system (a round then took up to 11 times longer than the pool's), hence
 * {@code fsync} for log dirs on a shared file system, and fsync for a round of a single partition. Opened
 * before any log of the dir is written, so that a sync reports every write-back failure since (see
 * {@link FileSystemSync}). A failed sync is final for its log dir until a restart, as a failed fsync is for a log.
 */
final class LogDirSyncs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogDirSyncs.class);

    /** Where {@code auto} switches to syncfs: one file's fsync is one device flush already. */
    static final int AUTO_MIN_PARTITIONS = 2;

    private final Map<Path, FileSystemSync> syncs;
    private final int minPartitions;
    private final Map<Path, IOException> failures = new ConcurrentHashMap<>();

    private LogDirSyncs(Map<Path, FileSystemSync> syncs, int minPartitions) {
        this.syncs = syncs;
        this.minPartitions = minPartitions;
    }

    /** Every log dir flushed file by file. */
    static LogDirSyncs none() {
        return new LogDirSyncs(Map.of(), Integer.MAX_VALUE);
    }

    /**
     * For {@code method} ({@code auto}, {@code syncfs} or {@code fsync}): one sync per log dir where it can be opened;
     * the others fall back to fsync.
     */
    static LogDirSyncs open(List<Path> logDirs, FileChannelFactory files, String method) {
        int min;
        switch (method) {
            case BrokerConfig.LOG_FLUSH_METHOD_SYNCFS -> min = 1;
            case BrokerConfig.LOG_FLUSH_METHOD_AUTO -> min = AUTO_MIN_PARTITIONS;
            default -> {
                LOG.info("log.flush.method={}: group commits fsync each partition's files", method);
                return none();
            }
        }
        Map<Path, FileSystemSync> opened = new HashMap<>();
        for (Path dir : logDirs) {
            try {
                opened.put(dir, files.openFileSystemSync(dir));
            } catch (IOException | RuntimeException | LinkageError e) {
                LOG.warn(
                        "syncfs is not usable for log dir {} ({}); its group commits fsync each "
                                + "partition's files instead",
                        dir,
                        e.getMessage());
            }
        }
        if (!opened.isEmpty()) {
            LOG.info(
                    "Group commits make log dirs {} durable with one syncfs per round of {} dirty partitions or more",
                    opened.keySet(),
                    min);
        }
        return new LogDirSyncs(Map.copyOf(opened), min);
    }

    /** A round uses the sync of a log dir only for this many dirty partitions in it or more. */
    int minPartitions() {
        return minPartitions;
    }

    /** The sync of {@code logDir}, or null: flush its logs file by file. */
    FileSystemSync of(Path logDir) {
        return syncs.get(logDir);
    }

    /** The failure of {@code logDir}'s sync, or null while it has never failed. */
    IOException failure(Path logDir) {
        return failures.get(logDir);
    }

    /** Records the first failure of {@code logDir}'s sync; true if it is the first. */
    boolean markFailed(Path logDir, IOException cause) {
        return failures.putIfAbsent(logDir, cause) == null;
    }

    Set<Path> failedLogDirs() {
        return Set.copyOf(failures.keySet());
    }

    @Override
    public void close() {
        for (FileSystemSync sync : syncs.values()) {
            try {
                sync.close();
            } catch (IOException e) {
                LOG.warn("Could not close a file system sync: {}", e.toString());
            }
        }
    }
}
