package io.piste.storage.cleaner;

import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.log.SegmentDeleter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background cleaner of compacted logs, as Kafka's LogCleaner: {@code log.cleaner.threads} threads, each with its
 * own {@link KeyOffsetMap} (its share of {@code log.cleaner.dedupe.buffer.size}) and buffers, share one I/O
 * {@link Throttler}. Each round a thread takes the dirtiest log that must be cleaned (overdue by
 * {@code max.compaction.lag.ms} first) and no other thread holds, cleans it once ({@link Cleaner}) and checkpoints
 * its new first dirty offset; with nothing to clean it waits {@code log.cleaner.backoff.ms}. A log is compacted when its
 * {@code cleanup.policy} holds {@code compact} ({@code LogConfig.cleanup()}, read each round). Replaced segments go
 * to the broker's {@link SegmentDeleter}, retention's, which removes them {@code file.delete.delay.ms} later. A failed
 * pass is logged and counted; the log is tried again later.
 */
public final class LogCleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);
    static final long CLOSE_WAIT_MS = 10_000;

    /** The logs to consider, listed afresh each round by the broker: the logs of compacted topics. */
    public interface LogSource {
        /** The open ones. */
        void forEach(Consumer<CleanableLog> action);

        /** Those not opened since the start ({@link UnopenedLogs} opens the ones that must be cleaned). */
        default void forEachUnopened(Consumer<UnopenedLog> action) {}
    }

    private volatile CleanerConfig config;
    private final CleanerCodec codec;
    private final LogSource logs;
    private final LongSupplier clockMs;
    private final Throttler throttler;
    private final CleanerCheckpoints checkpoints;
    private final UnopenedLogs unopened = new UnopenedLogs();
    private final Set<TopicPartitionKey> inProgress = ConcurrentHashMap.newKeySet();
    private final SegmentDeleter deleter;
    private final CleanerStatsRecorder stats;
    private final Object stopSignal = new Object();
    private final Object lifecycle = new Object();
    /** Written under lifecycle; volatile so that {@link #stats} reads it without waiting for a restart. */
    private volatile CleanerThreads threads;

    private volatile boolean closed;

    public LogCleaner(
            CleanerConfig config,
            CleanerCodec codec,
            List<Path> logDirs,
            LogSource logs,
            SegmentDeleter deleter,
            LongSupplier clockMs) {
        this.config = config;
        this.deleter = deleter;
        this.codec = codec;
        this.logs = logs;
        this.clockMs = clockMs;
        this.throttler = new Throttler(config.ioMaxBytesPerSecond());
        this.checkpoints = new CleanerCheckpoints(logDirs);
        this.stats = new CleanerStatsRecorder(clockMs.getAsLong());
    }

    /** Starts the threads (none if {@code log.cleaner.enable} is false or there are 0 threads). */
    public void start() {
        synchronized (lifecycle) {
            if (config.enable() && !closed && threads == null) {
                threads = startThreads(config);
            }
        }
    }

    private CleanerThreads startThreads(CleanerConfig c) {
        return CleanerThreads.start(c.threads(), generation -> run(newCleaner(c, generation::running), generation));
    }

    /**
     * Applies new {@code log.cleaner.*} configs (the broker checked them): the I/O rate at once, passes under way
     * included; the back-off from the next wait; new thread counts or buffer sizes by stopping the threads (their
     * passes abandoned, as a close does) and starting new ones, as Kafka's LogCleaner.reconfigure does.
     */
    public void reconfigure(CleanerConfig next) {
        synchronized (lifecycle) {
            CleanerConfig old = config;
            config = next;
            if (next.ioMaxBytesPerSecond() != old.ioMaxBytesPerSecond()) {
                throttler.setMaxBytesPerSecond(next.ioMaxBytesPerSecond());
            }
            if (threads == null || closed) {
                return;
            }
            if (next.threads() != old.threads()
                    || next.dedupeBufferBytes() != old.dedupeBufferBytes()
                    || next.ioBufferBytes() != old.ioBufferBytes()
                    || next.dedupeBufferLoadFactor() != old.dedupeBufferLoadFactor()) {
                threads.stop(this::wakeAll, CLOSE_WAIT_MS);
                stats.forgetPasses();
                threads = startThreads(next);
                LOG.info("Cleaner restarted with {} threads for new configs: {}", next.threads(), next);
            } else {
                wakeAll();
            }
        }
    }

    /** Cleaner threads alive now. */
    public int aliveThreads() {
        synchronized (lifecycle) {
            return threads == null ? 0 : threads.aliveCount();
        }
    }

    public CleanerConfig config() {
        return config;
    }

    /** A cleaner with one thread's share of the buffers, stopped by {@link #close}. */
    public Cleaner newCleaner() {
        return newCleaner(config, () -> !closed);
    }

    private Cleaner newCleaner(CleanerConfig c, BooleanSupplier running) {
        return new Cleaner(
                new KeyOffsetMap(c.dedupeBufferBytesPerThread()),
                codec,
                throttler,
                c.dedupeBufferLoadFactor(),
                c.ioBufferBytesPerThread(),
                clockMs,
                running);
    }

    private void run(Cleaner cleaner, CleanerThreads generation) {
        while (generation.running()) {
            boolean cleaned = false;
            try {
                cleaned = cleanFilthiest(cleaner);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("Cleaner round failed", e);
            }
            if (!cleaned) {
                synchronized (stopSignal) {
                    if (generation.running()) {
                        try {
                            stopSignal.wait(Math.max(1, config.backoffMs()));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Ends the back-off waits and the throttle's sleeps of threads told to stop (or to read the configs again). */
    private void wakeAll() {
        synchronized (stopSignal) {
            stopSignal.notifyAll();
        }
        throttler.wakeAll();
    }

    /** Cleans the dirtiest log that must be cleaned, once; returns false if there was none. */
    public boolean cleanFilthiest(Cleaner cleaner) throws InterruptedException {
        CleaningCandidate chosen = chooseAndClaim();
        if (chosen == null) {
            stats.roundEnded(clockMs.getAsLong());
            return false;
        }
        CleanableLog target = chosen.target();
        try {
            long startNanos = System.nanoTime();
            Cleaner.Result result = cleaner.clean(
                    target.log().compaction(),
                    chosen.firstDirtyOffset(),
                    chosen.firstUncleanableOffset(),
                    target.settings(),
                    deleter);
            if (result != null) {
                checkpoints.update(target.log().dir().getParent(), target.partition(), result.endOffset());
                long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
                double utilization = (double) result.keysMapped() / cleaner.mapSlots();
                stats.passed(
                        cleaner,
                        target.partition(),
                        new CleanerStatsRecorder.LastPass(
                                result.bytesRead(), result.bytesWritten(), elapsedMs, utilization));
                logPass(chosen, result, elapsedMs, utilization);
            }
        } catch (IOException | RuntimeException e) {
            stats.failed(target.partition(), chosen.dirtyBytes());
            LOG.warn("Could not clean {}; tried again later: {}", target.partition(), e.toString());
        } finally {
            inProgress.remove(target.partition());
            stats.roundEnded(clockMs.getAsLong());
        }
        return true;
    }

    /** One line per finished cleaning, as Kafka's: the log, the dirty section, bytes, time, rate, map use. */
    private static void logPass(CleaningCandidate chosen, Cleaner.Result result, long elapsedMs, double utilization) {
        double mbRead = result.bytesRead() / (1024.0 * 1024.0);
        double mbWritten = result.bytesWritten() / (1024.0 * 1024.0);
        double seconds = Math.max(elapsedMs, 1) / 1000.0;
        LOG.info(
                "Cleaned {} (dirty section [{}, {}), dirty ratio {}): {} MB read, {} MB written ({}% size reduction)"
                        + " in {} s ({} MB/s), {} segment groups, buffer utilization {}%",
                chosen.target().partition(),
                chosen.firstDirtyOffset(),
                result.endOffset(),
                String.format("%.2f", chosen.dirtyRatio()),
                String.format("%.1f", mbRead),
                String.format("%.1f", mbWritten),
                String.format("%.1f", result.bytesRead() == 0 ? 0 : 100 * (1 - mbWritten / mbRead)),
                String.format("%.1f", seconds),
                String.format("%.1f", (mbRead + mbWritten) / seconds),
                result.groups(),
                String.format("%.1f", 100 * utilization));
    }

    private synchronized CleaningCandidate chooseAndClaim() {
        long now = clockMs.getAsLong();
        CleaningCandidate[] best = {null};
        long[] maxDelayMs = {0};
        logs.forEach(target -> best[0] = better(best[0], target, now, maxDelayMs));
        for (CleanableLog target : unopened.openCleanable(logs, checkpoints, now)) {
            best[0] = better(best[0], target, now, maxDelayMs);
        }
        stats.choice(best[0] == null ? 0 : best[0].dirtyRatio(), maxDelayMs[0]);
        if (best[0] != null) {
            inProgress.add(best[0].target().partition());
        }
        return best[0];
    }

    /**
     * {@code target} measured as a candidate if it must be cleaned and comes before {@code best}, else best; the
     * largest compaction delay seen goes to {@code maxDelayMs[0]}.
     */
    private CleaningCandidate better(CleaningCandidate best, CleanableLog target, long now, long[] maxDelayMs) {
        if (!target.log().config().cleanup().compact()
                || inProgress.contains(target.partition())
                || target.log().isOffline()) {
            return best;
        }
        try {
            long checkpointed = checkpoints.firstDirtyOffset(target.log().dir().getParent(), target.partition());
            CleaningCandidate c = CleaningCandidate.of(target, checkpointed, now);
            maxDelayMs[0] = Math.max(maxDelayMs[0], c.compactionDelayMs());
            if (c.shouldClean() && (best == null || isBefore(c, best))) {
                return c;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not measure {} for cleaning: {}", target.partition(), e.toString());
        }
        return best;
    }

    private static boolean isBefore(CleaningCandidate a, CleaningCandidate b) {
        if (a.overdue() != b.overdue()) {
            return a.overdue();
        }
        return a.dirtyRatio() > b.dirtyRatio();
    }

    /** Completed passes since start (a pass that was abandoned is not counted). */
    public long passes() {
        return stats.passes();
    }

    public long failures() {
        return stats.failures();
    }

    /**
     * The cleaner's statistics now, Kafka's LogCleaner gauges. Without the lifecycle lock: a scrape must not wait the
     * seconds a restart of the threads (a {@code log.cleaner.*} change) can hold it.
     */
    public CleanerStats stats() {
        CleanerThreads current = threads;
        int count = current == null ? 0 : current.size();
        int dead = current == null ? 0 : current.deadCount();
        return stats.snapshot(clockMs.getAsLong(), count, dead);
    }

    public long throttledMs() {
        return throttler.sleptMs();
    }

    /**
     * Stops the threads, each pass in progress at its next read (Kafka's checkDone), the throttle's sleeps cut short,
     * and waits up to {@value #CLOSE_WAIT_MS} ms for them. A stopped pass abandons its {@code .cleaned} files, and a
     * swap, done under the log's lock, is either done or not begun. A thread still running after the wait (a stuck
     * disk) is left, a daemon, and logged. The replaced segments are the deleter's.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
            if (threads != null) {
                threads.stop(this::wakeAll, CLOSE_WAIT_MS);
            }
        }
    }
}
