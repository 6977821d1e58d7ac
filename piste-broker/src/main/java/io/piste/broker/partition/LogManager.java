package io.piste.broker.partition;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.config.DynamicBrokerConfigs;
import io.piste.broker.config.TopicConfigs;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.TopicImage;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.checkpoint.DurableDirectories;
import io.piste.storage.checkpoint.OffsetCheckpointFile;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.log.FileChannelFactory;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker holds: opens their logs at start-up (recovering after an unclean stop), creates
 * and deletes them as metadata changes, applies topic and dynamic broker config changes to their logs, checkpoints
 * recovery points and high watermarks, and closes everything cleanly. Thread-safe; metadata changes arrive one at a
 * time (the controller serialises them).
 *
 * <p>Kafka's LogManager, with the partitions on top: a single node leads every partition it holds. The replica
 * manager of a cluster (leadership, followers, ISR) will sit above it.
 */
public final class LogManager implements MetadataListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogManager.class);
    static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";

    private final BrokerConfig config;
    private final FileChannelFactory files;
    private final List<Path> logDirs;
    private final Map<Path, Boolean> hadCleanShutdown = new HashMap<>();
    private final Map<Path, Map<TopicPartitionKey, Long>> recoveryPoints = new HashMap<>();
    private final ConcurrentHashMap<String, Partition[]> partitions = new ConcurrentHashMap<>();
    private final LogFlusher flusher;
    private final ScheduledExecutorService scheduler;
    /** The static config under the dynamic broker configs of the last applied image. */
    private volatile DynamicBrokerConfigs brokerConfigs;

    private ScheduledFuture<?> flushTask;
    private long flushPeriodMs = -1;
    /** Set once {@link #startup} has opened every partition: until then close() writes no checkpoint or marker. */
    private volatile boolean started;

    public LogManager(BrokerConfig config) throws IOException {
        this(config, FileChannelFactory.DEFAULT);
    }

    /** With the logs' files opened and synced through {@code files} (tests inject failures there). */
    LogManager(BrokerConfig config, FileChannelFactory files) throws IOException {
        this.config = config;
        this.files = files;
        this.brokerConfigs = DynamicBrokerConfigs.staticOnly(config);
        this.logDirs = config.logDirs();
        for (Path dir : logDirs) {
            // a log dir created here must survive a power loss with the partitions fsynced into it
            DurableDirectories.createDirectories(dir);
            hadCleanShutdown.put(dir, CleanShutdownMarker.exists(dir));
            recoveryPoints.put(dir, readCheckpoint(dir.resolve(RECOVERY_POINT_CHECKPOINT)));
        }
        // Before any log is opened for writing: a syncfs reports only the write-back failures after its open.
        this.flusher =
                new LogFlusher(LogDirSyncs.open(logDirs, files, config.logFlushMethod()), this::takeLogDirOffline);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "piste-log-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    private static Map<TopicPartitionKey, Long> readCheckpoint(Path file) {
        try {
            return new OffsetCheckpointFile(file).read();
        } catch (IOException | RuntimeException e) {
            log.warn("Ignoring unreadable checkpoint {}: {}", file, e.toString());
            return Map.of();
        }
    }

    /** Opens every partition of the image, then starts the checkpoint schedule. */
    public void startup(MetadataImage image) throws IOException {
        long startNanos = System.nanoTime();
        brokerConfigs = brokerConfigsOf(image);
        PartitionDirs.sweepOrphans(logDirs, image, Topic.CLUSTER_METADATA_TOPIC_PARTITION.toString());
        int count = openAll(image);
        for (Path dir : logDirs) {
            // From here on the logs are open for writing: a crash must trigger recovery. A marker that could come
            // back would skip it, so the broker does not start (Kafka takes the log dir offline, and stops when
            // no log dir is left).
            try {
                CleanShutdownMarker.delete(dir);
            } catch (IOException e) {
                throw new IOException(
                        "Could not durably delete the clean-shutdown marker of log dir " + dir + "; not starting: " + e,
                        e);
            }
        }
        long intervalMs = Math.max(100, config.logFlushOffsetCheckpointIntervalMs());
        scheduler.scheduleWithFixedDelay(this::checkpointQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        long expiryCheckMs = config.producerIdExpirationCheckIntervalMs();
        scheduler.scheduleWithFixedDelay(
                this::removeExpiredProducers, expiryCheckMs, expiryCheckMs, TimeUnit.MILLISECONDS);
        maybeRescheduleFlush();
        this.started = true;
        log.info("Loaded {} partitions in {} ms", count, (System.nanoTime() - startNanos) / 1_000_000);
    }

    /**
     * Opens every partition of the image with {@code num.recovery.threads.per.data.dir} threads per log dir,
     * as Kafka does: after a crash each log recovers its tail, and those scans run side by side.
     */
    private int openAll(MetadataImage image) throws IOException {
        int threads = Math.max(1, config.numRecoveryThreadsPerDataDir() * logDirs.size());
        AtomicInteger threadCount = new AtomicInteger();
        ExecutorService recovery = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "piste-log-recovery-" + threadCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            Map<TopicImage, List<Future<Partition>>> opening = new LinkedHashMap<>();
            for (TopicImage topic : image.topics()) {
                List<Future<Partition>> futures = new ArrayList<>();
                for (int p = 0; p < topic.partitionCount(); p++) {
                    int index = p;
                    futures.add(recovery.submit(() -> openPartition(topic, index)));
                }
                opening.put(topic, futures);
            }
            int count = 0;
            try {
                for (Map.Entry<TopicImage, List<Future<Partition>>> topic : opening.entrySet()) {
                    Partition[] opened = new Partition[topic.getValue().size()];
                    for (int p = 0; p < opened.length; p++) {
                        opened[p] = await(topic.getValue().get(p));
                        count++;
                    }
                    partitions.put(topic.getKey().name(), opened);
                }
            } catch (IOException | RuntimeException e) {
                closeUnclaimed(opening);
                throw e;
            }
            return count;
        } finally {
            recovery.shutdown();
        }
    }

    /** After a failed start-up: closes the logs that opened but never reached {@link #partitions}. */
    private void closeUnclaimed(Map<TopicImage, List<Future<Partition>>> opening) {
        for (Map.Entry<TopicImage, List<Future<Partition>>> topic : opening.entrySet()) {
            if (partitions.containsKey(topic.getKey().name())) {
                continue;
            }
            for (Future<Partition> future : topic.getValue()) {
                try {
                    future.get().log().close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException | IOException | RuntimeException e) {
                    // Did not open, or cannot close: it is left for the next start's recovery either way.
                }
            }
        }
    }

    private static Partition await(Future<Partition> opening) throws IOException {
        try {
            return opening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening logs");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("Could not open a log", e.getCause());
        }
    }

    private Partition openPartition(TopicImage topic, int index) throws IOException {
        String dirName = topic.name() + "-" + index;
        Path logDir = findExisting(dirName);
        if (logDir == null) {
            logDir = leastLoadedDir();
        }
        PartitionDirs.renameIfStale(logDir.resolve(dirName), topic);
        TopicPartitionKey key = new TopicPartitionKey(topic.name(), index);
        boolean clean = hadCleanShutdown.getOrDefault(logDir, false);
        long recoveryPoint = recoveryPoints.getOrDefault(logDir, Map.of()).getOrDefault(key, 0L);
        UnifiedLog unifiedLog = UnifiedLog.open(
                logDir.resolve(dirName),
                TopicConfigs.logConfig(brokerConfigs, topic.configs()),
                System::currentTimeMillis,
                clean,
                recoveryPoint,
                files);
        unifiedLog.producerState().setMaxProducerIds(config.producerIdMaxPerPartition());
        Partition partition = new Partition(
                topic.name(), index, unifiedLog, flusher, config.logFlushOnAck(), flushIntervalMessages(topic));
        // Everything that survived recovery is in the log now; once flushed, a single replica's
        // high watermark is its log end, as for a Kafka leader that is its own ISR.
        try {
            unifiedLog.flush();
            unifiedLog.updateHighWatermark(unifiedLog.logEndOffset());
        } catch (IOException e) {
            // As a failed flush later on: offline with its high watermark unmoved until a restart recovers it;
            // the other partitions open and serve.
            partition.onFlushFailed(e);
        }
        PartitionDirs.writeIfMissing(unifiedLog.dir(), topic.topicId());
        return partition;
    }

    private long flushIntervalMessages(TopicImage topic) {
        return Long.parseLong(TopicConfigs.effectiveValue(brokerConfigs, topic.configs(), "flush.messages"));
    }

    private DynamicBrokerConfigs brokerConfigsOf(MetadataImage image) {
        return DynamicBrokerConfigs.of(
                config,
                image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT),
                image.brokerConfigs(Integer.toString(config.nodeId())));
    }

    /** The broker config in effect now: static plus dynamic. */
    public DynamicBrokerConfigs brokerConfigs() {
        return brokerConfigs;
    }

    /**
     * In page-cache mode every log with new data is flushed each {@code log.flush.interval.ms} (a topic default
     * that a dynamic config may change) or each {@code log.writeback.interval.ms}, whichever is shorter; in durable
     * mode the ack path fsyncs.
     *
     * <p>Why the write-back: left to itself, Linux writes dirty pages back once they are 30 s old, all of them at
     * once. Measured with {@code bench/compare}'s send-to-ack cell (5,000 records/s), appends then stalled for up to
     * 43 ms; flushing each second kept the worst at 4 to 8 ms, at no cost in produce throughput.
     */
    private synchronized void maybeRescheduleFlush() {
        long flushMs = Long.parseLong(TopicConfigs.effectiveValue(brokerConfigs, Map.of(), "flush.ms"));
        long periodMs = pageCacheFlushPeriodMs(flushMs, config.logWritebackIntervalMs());
        if (periodMs == flushPeriodMs) {
            return;
        }
        flushPeriodMs = periodMs;
        if (flushTask != null) {
            flushTask.cancel(false);
            flushTask = null;
        }
        if (!config.logFlushOnAck() && periodMs > 0) {
            flushTask = scheduler.scheduleWithFixedDelay(this::flushAll, periodMs, periodMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The period of the page-cache flush scheduled now, or 0 when none is: a seam for tests. */
    synchronized long scheduledFlushPeriodMs() {
        return flushTask == null ? 0 : flushPeriodMs;
    }

    /** The shorter of the two intervals that are set (above 0 and not Kafka's "never"), or 0 for none. */
    static long pageCacheFlushPeriodMs(long flushMs, long writebackMs) {
        long period = flushMs > 0 && flushMs < Long.MAX_VALUE / 2 ? flushMs : Long.MAX_VALUE;
        if (writebackMs > 0) {
            period = Math.min(period, writebackMs);
        }
        return period == Long.MAX_VALUE ? 0 : period;
    }

    private Path findExisting(String dirName) {
        for (Path dir : logDirs) {
            if (Files.isDirectory(dir.resolve(dirName))) {
                return dir;
            }
        }
        return null;
    }

    /** Kafka's rule: a new partition goes to the log dir holding the fewest partitions. */
    private Path leastLoadedDir() {
        Map<Path, Integer> counts = new HashMap<>();
        logDirs.forEach(d -> counts.put(d, 0));
        for (Partition[] topic : partitions.values()) {
            for (Partition p : topic) {
                if (p != null) {
                    counts.merge(p.log().dir().getParent(), 1, Integer::sum);
                }
            }
        }
        Path best = logDirs.get(0);
        for (Path dir : logDirs) {
            if (counts.getOrDefault(dir, 0) < counts.getOrDefault(best, 0)) {
                best = dir;
            }
        }
        return best;
    }

    /** How many (fetch, partition) waits for data there are over all partitions, for monitoring and tests. */
    public int dataWaiterCount() {
        int count = 0;
        for (Partition[] topicPartitions : partitions.values()) {
            for (Partition partition : topicPartitions) {
                if (partition != null) {
                    count += partition.dataWaiterCount();
                }
            }
        }
        return count;
    }

    public Partition partition(String topic, int index) {
        Partition[] topicPartitions = partitions.get(topic);
        if (topicPartitions == null || index < 0 || index >= topicPartitions.length) {
            return null;
        }
        return topicPartitions[index];
    }

    @Override
    public void onTopicCreated(TopicImage topic) throws IOException {
        Partition[] created = new Partition[topic.partitionCount()];
        try {
            for (int p = 0; p < created.length; p++) {
                created[p] = openPartition(topic, p);
            }
        } catch (IOException | RuntimeException e) {
            // The controller removes the topic again; leave nothing open or half-created behind.
            for (Partition partition : created) {
                if (partition != null) {
                    deleteQuietly(partition);
                }
            }
            throw e;
        }
        partitions.put(topic.name(), created);
    }

    private static void deleteQuietly(Partition partition) {
        try {
            partition.log().close();
        } catch (IOException | RuntimeException e) {
            log.warn("Could not close {} before deleting it: {}", partition, e.toString());
        }
        try {
            PartitionDirs.delete(partition.log().dir());
        } catch (IOException | RuntimeException e) {
            log.warn("Could not delete {}: {}", partition, e.toString());
        }
    }

    @Override
    public void onTopicDeleted(TopicImage topic) throws IOException {
        Partition[] removed = partitions.remove(topic.name());
        if (removed == null) {
            return;
        }
        for (Partition partition : removed) {
            // A directory left behind: a -delete one is deleted at the next start, one not yet renamed kept as stray.
            partition.failPendingAcks();
            partition.markDeleted();
            deleteQuietly(partition);
        }
    }

    @Override
    public void onPartitionsAdded(TopicImage topic, int previousCount) throws IOException {
        Partition[] old = partitions.get(topic.name());
        Partition[] grown = new Partition[topic.partitionCount()];
        System.arraycopy(old, 0, grown, 0, Math.min(old.length, previousCount));
        for (int p = previousCount; p < grown.length; p++) {
            grown[p] = openPartition(topic, p);
        }
        partitions.put(topic.name(), grown);
    }

    @Override
    public void onConfigsChanged(TopicImage topic) {
        Partition[] topicPartitions = partitions.get(topic.name());
        if (topicPartitions == null) {
            return;
        }
        // Computed before touching any partition, so that a config that does not apply changes none of them.
        LogConfig logConfig = TopicConfigs.logConfig(brokerConfigs, topic.configs());
        long flushMessages = flushIntervalMessages(topic);
        for (Partition partition : topicPartitions) {
            partition.log().updateConfig(logConfig);
            partition.setFlushIntervalMessages(flushMessages);
        }
    }

    /**
     * Recomputes every partition's log config under the new dynamic broker configs. A topic whose overrides do not
     * combine with them (say its min.compaction.lag.ms above the new default max) keeps its old config, with a warning.
     */
    @Override
    public void onBrokerConfigsChanged(MetadataImage image) {
        brokerConfigs = brokerConfigsOf(image);
        for (TopicImage topic : image.topics()) {
            try {
                onConfigsChanged(topic);
            } catch (RuntimeException e) {
                log.warn(
                        "Topic {} keeps its log config: the new broker configs do not apply to it: {}",
                        topic.name(),
                        e.toString());
            }
        }
        maybeRescheduleFlush();
    }

    /**
     * Hands every partition with data past its recovery point to the flusher. It runs each second by default
     * (the write-back), so partitions with nothing new are skipped: an idle broker does not wake the flusher.
     */
    private void flushAll() {
        for (Partition[] topic : partitions.values()) {
            for (Partition p : topic) {
                // An offline partition's unflushed count never drops: it would wake the flusher every period.
                if (!p.isOffline() && p.log().unflushedMessages() > 0) {
                    flusher.markDirty(p);
                }
            }
        }
    }

    private void removeExpiredProducers() {
        for (Partition[] topic : partitions.values()) {
            for (Partition p : topic) {
                try {
                    p.log().removeExpiredProducers(config.producerIdExpirationMs());
                } catch (RuntimeException e) {
                    log.warn("Could not expire producer ids of {}: {}", p, e.toString());
                }
            }
        }
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (IOException | RuntimeException e) {
            log.warn("Could not write offset checkpoints: {}", e.toString());
        }
    }

    private synchronized void checkpoint() throws IOException {
        Map<Path, Map<TopicPartitionKey, Long>> recovery = new HashMap<>();
        Map<Path, Map<TopicPartitionKey, Long>> highWatermarks = new HashMap<>();
        for (Path dir : logDirs) {
            recovery.put(dir, new HashMap<>());
            highWatermarks.put(dir, new HashMap<>());
        }
        for (Partition[] topic : partitions.values()) {
            for (Partition p : topic) {
                Path dir = p.log().dir().getParent();
                TopicPartitionKey key = new TopicPartitionKey(p.topic(), p.index());
                recovery.get(dir).put(key, p.log().recoveryPoint());
                highWatermarks.get(dir).put(key, p.highWatermark());
            }
        }
        for (Path dir : logDirs) {
            new OffsetCheckpointFile(dir.resolve(RECOVERY_POINT_CHECKPOINT)).write(recovery.get(dir));
            new OffsetCheckpointFile(dir.resolve(HIGH_WATERMARK_CHECKPOINT)).write(highWatermarks.get(dir));
        }
    }

    /** After a failed file system sync of {@code logDir}: every partition in it goes offline, its acks fail. */
    private void takeLogDirOffline(Path logDir, IOException cause) {
        List<Partition> inDir = new ArrayList<>();
        for (Partition[] topic : partitions.values()) {
            for (Partition p : topic) {
                if (p.log().dir().getParent().equals(logDir)) {
                    p.log().markOffline(cause);
                    inDir.add(p);
                }
            }
        }
        // Only once all are offline: a producer told of the failure finds every partition of the log dir offline.
        for (Partition p : inDir) {
            p.failPendingAcks();
        }
    }

    /**
     * Flushes and closes every log, writes the checkpoints, then the clean-shutdown marker of each log dir whose
     * logs all closed cleanly. A log dir holding a partition offline after a failed fsync gets none (as Kafka
     * writes none for an offline log dir): the next start scans its logs from their recovery points, which never
     * moved past the failure.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        flusher.close();
        Set<Path> uncleanDirs = new HashSet<>(flusher.failedLogDirs());
        if (!started) {
            // Start-up failed: partitions it never reached, or whose recovery failed, are not in the map, so
            // neither a checkpoint nor a marker may speak for these log dirs; the next start recovers them all.
            uncleanDirs.addAll(logDirs);
        }
        for (Partition[] topic : partitions.values()) {
            for (Partition p : topic) {
                try {
                    p.log().close();
                } catch (IOException | RuntimeException e) {
                    uncleanDirs.add(p.log().dir().getParent());
                    log.warn("Could not close {} cleanly: {}", p, e.toString());
                }
                if (p.isOffline()) {
                    uncleanDirs.add(p.log().dir().getParent());
                }
            }
        }
        if (started) {
            checkpointQuietly();
        }
        for (Path dir : logDirs) {
            if (uncleanDirs.contains(dir)) {
                log.warn(
                        "No clean-shutdown marker in {}: a log in it did not close cleanly; the next start "
                                + "recovers its logs",
                        dir);
                continue;
            }
            try {
                CleanShutdownMarker.write(dir);
            } catch (IOException e) {
                log.warn("Could not write the clean-shutdown marker in {}: {}", dir, e.toString());
            }
        }
    }
}
