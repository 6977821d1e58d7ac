package io.piste.broker.partition;

import io.piste.broker.metrics.FlushMetrics;
import io.piste.storage.log.FileSystemSync;
import io.piste.storage.log.LogOffsetMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one thread makes every partition appended to since its last round durable, then completes the
 * acknowledgements waiting on them. While a round runs, new appends gather for the next, so one round covers many
 * produce requests from many connections.
 *
 * <p>Two ways, chosen per log dir and round ({@code log.flush.method}, {@link LogDirSyncs}). <b>syncfs</b>: each
 * partition captures the log end to make durable ({@code prepareFlush}, no fsync), then one sync of the log dir's file
 * system makes all of them durable (data and new segments' directory entries), then each moves its recovery point and
 * high watermark to what it captured and answers its waiters; a round costs about one device flush whatever the
 * number of partitions, plus whatever else is dirty on that file system. A failed sync takes every partition of the
 * log dir offline (the failed write-back may be any of theirs) and acknowledges nothing of the round. <b>fsync</b>:
 * each partition's own files, over a pool of threads ({@link FsyncPool}); a failure takes that partition offline.
 * Measured (bench/group-commit, docs/benchmarks.md "Group commit"): against one fsync after another, syncfs cost 0.14,
 * 0.05 and 0.11 of the time for 6, 200 and 2,000 files, 16 threads 0.20, 0.08 and 0.20; with another process
 * rewriting 256 MB on the same file system, syncfs cost 6.8 to 11.6 times sequential fsyncs for 6 files and 0.39 for
 * 200, the pool 0.43 to 0.54 and 0.11; at 2,000 syncfs still won (0.07 against 0.11).
 */
final class LogFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);

    private final Object lock = new Object();
    private final Thread thread;
    private final LogDirSyncs syncs;
    private final BiConsumer<Path, IOException> onLogDirFailed;
    private Set<Partition> dirty = new LinkedHashSet<>();
    // The previous round's set, emptied: the next swap reuses it rather than allocating one per round.
    // Only the flusher thread touches it.
    private Set<Partition> spare = new LinkedHashSet<>();
    private final FsyncPool fsyncs = new FsyncPool();
    /** The round's partitions per log dir, and those prepared for a file system sync; flusher thread only, reused. */
    private final Map<Path, List<Partition>> byLogDir = new HashMap<>();

    private final Prepared prepared = new Prepared();

    private boolean running = true;
    /** Rounds taken from the dirty set, and rounds done; guarded by {@link #lock}. */
    private long roundsStarted;

    private long roundsFinished;
    private final FlushMetrics metrics;

    /** Fsyncs file by file (over {@link FsyncPool}). */
    LogFlusher() {
        this(LogDirSyncs.none(), (dir, cause) -> {});
    }

    /**
     * With one file system sync per log dir where {@code syncs} has one; {@code onLogDirFailed} takes every partition
     * of a log dir whose sync failed offline (the flusher itself reaches only the partitions of the round).
     */
    LogFlusher(LogDirSyncs syncs, BiConsumer<Path, IOException> onLogDirFailed) {
        this(syncs, onLogDirFailed, new FlushMetrics());
    }

    /** As above, timing each log dir's flush of a round and counting each round's partitions in {@code metrics}. */
    LogFlusher(LogDirSyncs syncs, BiConsumer<Path, IOException> onLogDirFailed, FlushMetrics metrics) {
        this.metrics = metrics;
        this.syncs = syncs;
        this.onLogDirFailed = onLogDirFailed;
        this.thread = new Thread(this::run, "piste-log-flusher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void markDirty(Partition partition) {
        synchronized (lock) {
            if (dirty.add(partition) && dirty.size() == 1) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Marks {@code partitions} dirty and waits until a round has flushed (or failed) them all: a follower's appends,
     * made durable before its next fetch reports them, in the same rounds as the leaders' acks.
     */
    void flushAndWait(List<Partition> partitions) throws InterruptedException {
        synchronized (lock) {
            dirty.addAll(partitions);
            lock.notifyAll();
            long round = roundsStarted + 1; // the next round to start takes the whole dirty set, these included
            while (roundsFinished < round && thread.isAlive()) {
                lock.wait(1000);
            }
        }
    }

    /** The log dirs whose file system sync failed: offline until a restart. */
    Set<Path> failedLogDirs() {
        return syncs.failedLogDirs();
    }

    private void run() {
        while (true) {
            Set<Partition> round;
            synchronized (lock) {
                while (dirty.isEmpty() && running) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (dirty.isEmpty()) {
                    return;
                }
                round = dirty;
                dirty = spare;
                roundsStarted++;
            }
            flushRound(round);
            round.clear();
            spare = round;
            synchronized (lock) {
                roundsFinished++;
                lock.notifyAll();
            }
        }
    }

    private void flushRound(Set<Partition> round) {
        metrics.recordRound(round.size());
        for (Partition partition : round) {
            if (partition.isOffline()) {
                partition.failPendingAcks();
                continue;
            }
            Path logDir = partition.log().dir().getParent();
            IOException dirFailure = syncs.failure(logDir);
            if (dirFailure != null) {
                // A partition created in, or appended to, a log dir after its sync failed.
                takeOffline(partition, dirFailure);
                continue;
            }
            byLogDir.computeIfAbsent(logDir, d -> new ArrayList<>()).add(partition);
        }
        for (Map.Entry<Path, List<Partition>> dir : byLogDir.entrySet()) {
            List<Partition> partitions = dir.getValue();
            if (partitions.isEmpty()) {
                continue;
            }
            FileSystemSync sync = syncs.of(dir.getKey());
            long started = System.nanoTime();
            if (sync != null && partitions.size() >= syncs.minPartitions()) {
                syncRound(dir.getKey(), sync, partitions);
            } else {
                fsyncs.flush(partitions);
            }
            metrics.recordFlush(System.nanoTime() - started);
            partitions.clear();
        }
    }

    /** Prepares every partition of the log dir, syncs its file system once, then completes them. */
    private void syncRound(Path logDir, FileSystemSync sync, List<Partition> partitions) {
        for (Partition partition : partitions) {
            LogOffsetMetadata end;
            try {
                end = partition.log().prepareFlush();
            } catch (IOException | RuntimeException e) {
                partition.onFlushFailed(e);
                continue;
            }
            if (end == null) {
                partition.onFlushed(); // nothing new since its recovery point: waiters below it are answered
                continue;
            }
            prepared.add(partition, end);
        }
        if (!prepared.partitions.isEmpty()) {
            syncAndComplete(logDir, sync, prepared);
            prepared.clear();
        }
    }

    private void syncAndComplete(Path logDir, FileSystemSync sync, Prepared batch) {
        try {
            sync.sync();
        } catch (IOException | RuntimeException e) {
            IOException cause = e instanceof IOException io ? io : new IOException("file system sync failed", e);
            failLogDir(logDir, cause, batch.partitions);
            return;
        }
        for (int i = 0; i < batch.partitions.size(); i++) {
            Partition partition = batch.partitions.get(i);
            try {
                partition.log().completeFlush(batch.ends.get(i));
            } catch (IOException | RuntimeException e) {
                partition.onFlushFailed(e); // offline meanwhile (a roll's failed index fsync)
                continue;
            }
            partition.onFlushed();
        }
    }

    /**
     * A failed syncfs: some write-back on the log dir's file system failed, and Linux marks such pages clean, so
     * no later sync can make the round's data durable. Every partition of the log dir goes offline; nothing of the
     * round is acknowledged and no recovery point moves.
     */
    private void failLogDir(Path logDir, IOException cause, List<Partition> round) {
        if (syncs.markFailed(logDir, cause)) {
            LOG.error(
                    "File system sync of log dir {} failed: every partition in it is offline until the broker "
                            + "restarts (reboot or remount first: pages whose write-back failed may look clean)",
                    logDir,
                    cause);
        }
        // Every partition of the log dir is offline before any waiter hears of the failure.
        for (Partition partition : round) {
            partition.log().markOffline(cause);
        }
        try {
            onLogDirFailed.accept(logDir, cause);
        } catch (RuntimeException e) {
            LOG.error("Could not take every partition of log dir {} offline", logDir, e);
        }
        for (Partition partition : round) {
            partition.failPendingAcks();
        }
    }

    private static void takeOffline(Partition partition, IOException cause) {
        partition.log().markOffline(cause);
        partition.failPendingAcks();
    }

    /** Finishes the pending round, then stops and closes the file system syncs. */
    @Override
    public void close() {
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fsyncs.close();
        syncs.close();
    }

    /** The partitions of one log dir waiting for its sync, with the log end each captured. */
    private static final class Prepared {
        final List<Partition> partitions = new ArrayList<>();
        final List<LogOffsetMetadata> ends = new ArrayList<>();

        void add(Partition partition, LogOffsetMetadata end) {
            partitions.add(partition);
            ends.add(end);
        }

        void clear() {
            partitions.clear();
            ends.clear();
        }
    }
}
