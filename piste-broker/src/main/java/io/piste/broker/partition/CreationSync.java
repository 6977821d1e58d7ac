package io.piste.broker.partition;

import io.piste.broker.config.BrokerConfig;
import io.piste.storage.log.FileChannelFactory;
import io.piste.storage.log.FileSystemSync;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a batch of new logs (a new topic's partitions, or partitions added to one), made durable together by
 * one file system sync per log dir rather than by three fsyncs per log (its log dir's entry, its
 * {@code partition.metadata} and that file's entry): the group commit's idea applied to creation (a single node
 * created a 2,000-partition topic in 0.61 times the time, docs/benchmarks.md). Until {@link #sync()}
 * succeeded, directory syncs are skipped and {@link #defers} tells the caller to write {@code partition.metadata}
 * without fsync; nothing of the batch is served before then, so nothing depends on its files' durability yet. After,
 * every call passes through: the logs keep this as their file factory and fsync their directories as any other.
 *
 * <p>Each sync is its own descriptor, opened before the batch writes anything: a write-back failure since is reported
 * to it and to the group commit's own sync alike (Linux keeps the error state per open file), so this batch neither
 * misses one nor hides one from the group commit. Used only where the group commit may use syncfs
 * ({@code log.flush.method} other than {@code fsync}) and a sync opens for every log dir of the batch.
 */
final class CreationSync implements FileChannelFactory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CreationSync.class);

    private final FileChannelFactory files;
    private final Map<Path, FileSystemSync> syncs;
    private volatile boolean deferring = true;

    private CreationSync(FileChannelFactory files, Map<Path, FileSystemSync> syncs) {
        this.files = files;
        this.syncs = syncs;
    }

    /** For a batch in {@code logDirs}; null where it must fsync file by file (see the class comment). */
    static CreationSync start(FileChannelFactory files, Collection<Path> logDirs, String flushMethod) {
        if (BrokerConfig.LOG_FLUSH_METHOD_FSYNC.equals(flushMethod)) {
            return null;
        }
        Map<Path, FileSystemSync> opened = new LinkedHashMap<>();
        for (Path dir : new LinkedHashSet<>(logDirs)) { // one sync per log dir, however many partitions go there
            try {
                opened.put(dir, files.openFileSystemSync(dir));
            } catch (IOException | RuntimeException | LinkageError e) {
                closeAll(opened);
                return null; // as the group commit does: fsync file by file where syncfs cannot be used
            }
        }
        return new CreationSync(files, opened);
    }

    /** Whether {@code files} skips fsyncs for now: a batch's, before its sync. */
    static boolean defers(FileChannelFactory files) {
        return files instanceof CreationSync batch && batch.deferring;
    }

    @Override
    public FileChannel open(Path path) throws IOException {
        return files.open(path);
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        if (!deferring) {
            files.fsyncDirectory(dir);
        }
    }

    @Override
    public FileSystemSync openFileSystemSync(Path logDir) throws IOException {
        return files.openFileSystemSync(logDir);
    }

    /**
     * Makes everything the batch wrote durable, one sync per log dir; from then on every fsync passes through.
     *
     * @throws IOException if a sync failed: the batch's files may not survive a power loss
     */
    void sync() throws IOException {
        for (Map.Entry<Path, FileSystemSync> sync : syncs.entrySet()) {
            try {
                sync.getValue().sync();
            } catch (IOException e) {
                throw new IOException("the file system sync of log dir " + sync.getKey() + " failed: " + e, e);
            }
        }
        deferring = false;
    }

    @Override
    public void close() {
        closeAll(syncs);
    }

    private static void closeAll(Map<Path, FileSystemSync> syncs) {
        for (FileSystemSync sync : syncs.values()) {
            try {
                sync.close();
            } catch (IOException e) {
                LOG.warn("Could not close a file system sync: {}", e.toString());
            }
        }
    }
}
