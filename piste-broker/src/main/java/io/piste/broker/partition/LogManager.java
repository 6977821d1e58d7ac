package io.piste.broker.partition;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.config.DynamicBrokerConfigs;
import io.piste.broker.config.TopicConfigs;
import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.metrics.BrokerMetrics;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.checkpoint.DurableDirectories;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.log.FileChannelFactory;
import io.piste.storage.log.LogConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker holds: opens their logs at start-up (recovering after an unclean stop), creates
 * and deletes them as metadata changes, applies topic and dynamic broker config changes to their logs, checkpoints
 * recovery points and high watermarks, and closes everything cleanly. Thread-safe; metadata changes arrive one at a
 * time (the controller serialises them).
 *
 * <p>Kafka's LogManager, with the partitions on top; a cluster's replica manager sits above it.
 */
public final class LogManager implements MetadataListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogManager.class);
    static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";

    private final BrokerConfig config;
    private final FileChannelFactory files;
    private final List<Path> logDirs;
    private final Map<Path, Boolean> hadCleanShutdown = new HashMap<>();
    private final OffsetCheckpoints checkpoints;
    /** Every partition of the image, its log open or not (see {@link PartitionSlot}). */
    private final PartitionSlots slots = new PartitionSlots();
    /** The image of each topic as last applied: a log opened later takes the topic's config from it. */
    private final ConcurrentHashMap<String, TopicImage> topics = new ConcurrentHashMap<>();

    private final LogFlusher flusher;
    private final PartitionOpener opener;
    private final BrokerMetrics metrics;
    private final LogRecoveries recoveries;
    private final ScheduledExecutorService scheduler;
    private final LogRetentionService retention;
    /** The static config under the dynamic broker configs of the last applied image. */
    private volatile DynamicBrokerConfigs brokerConfigs;
    /** The last image applied: where a log opened later reads its leader epoch. */
    private volatile MetadataImage image = MetadataImage.EMPTY;

    private final PageCacheFlushSchedule pageCacheFlush;
    private final ReplicaLogChanges replicaChanges;
    /** Set once {@link #startup} has opened every partition: until then close() writes no checkpoint or marker. */
    private volatile boolean started;

    public LogManager(BrokerConfig config) throws IOException {
        this(config, FileChannelFactory.DEFAULT);
    }

    /** With the logs' files opened and synced through {@code files} (tests inject failures there). */
    public LogManager(BrokerConfig config, FileChannelFactory files) throws IOException {
        this(config, files, new BrokerMetrics());
    }

    /** With the partitions' appends, reads and flushes counted in {@code metrics}. */
    public LogManager(BrokerConfig config, FileChannelFactory files, BrokerMetrics metrics) throws IOException {
        this.config = config;
        this.metrics = metrics;
        this.files = files;
        this.brokerConfigs = DynamicBrokerConfigs.staticOnly(config);
        this.logDirs = config.logDirs();
        for (Path dir : logDirs) {
            // a log dir created here must survive a power loss with the partitions fsynced into it
            DurableDirectories.createDirectories(dir);
            hadCleanShutdown.put(dir, CleanShutdownMarker.exists(dir));
        }
        // Before any log is opened for writing: a syncfs reports only the write-back failures after its open.
        this.flusher = new LogFlusher(
                LogDirSyncs.open(logDirs, files, config.logFlushMethod()), slots::takeLogDirOffline, metrics.flush());
        this.opener = new PartitionOpener(config, flusher, metrics.topics(), () -> brokerConfigs);
        this.checkpoints = new OffsetCheckpoints(logDirs);
        this.recoveries = new LogRecoveries(logDirThreads(), hadCleanShutdown);
        this.scheduler = LogScheduler.create();
        this.retention =
                new LogRetentionService(scheduler, slots::forEach, this::openSlot, this::logConfigOf, this::checkpoint);
        this.pageCacheFlush = new PageCacheFlushSchedule(
                scheduler, config.logFlushOnAck(), config.logWritebackIntervalMs(), this::flushAll);
        this.replicaChanges = new ReplicaLogChanges(
                config.nodeId(), logDirs, slots, (topic, index, dir) -> openNew(topic, index, dir, files));
    }

    /**
     * Takes every partition of the image, opening the logs of the internal topics (the group coordinator loads
     * {@code __consumer_offsets} next), then starts the checkpoint schedule. The other logs open at their first use
     * ({@link PartitionSlot}): after a clean stop their files need nothing, and after an unclean one each is recovered
     * from its checkpointed recovery point before anything reads or appends to it.
     */
    public void startup(MetadataImage image) throws IOException {
        long startNanos = System.nanoTime();
        this.image = image;
        brokerConfigs = brokerConfigsOf(image);
        int count = slots.takeAll(
                image,
                config.nodeId(),
                PartitionDirs.scan(logDirs, image, Topic.CLUSTER_METADATA_TOPIC_PARTITION.toString(), config.nodeId()),
                checkpoints);
        image.topics().forEach(topic -> topics.put(topic.name(), topic));
        int opened = openInternal();
        int toRecover = recoveries.queueAll(slots::forEach, this::openSlot);
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
                () -> slots.removeExpiredProducers(config.producerIdExpirationMs()),
                expiryCheckMs,
                expiryCheckMs,
                TimeUnit.MILLISECONDS);
        maybeRescheduleFlush();
        retention.start(config.getLong("log.retention.check.interval.ms"));
        this.started = true;
        log.info(
                "Loaded {} partitions in {} ms: opened the {} of internal topics, the others open at their first use{}",
                count,
                (System.nanoTime() - startNanos) / 1_000_000,
                opened,
                toRecover == 0 ? "" : "; recovering " + toRecover + " logs of log dirs without a clean shutdown");
    }

    /**
     * Opens the partitions of the internal topics with {@code num.recovery.threads.per.data.dir} threads per log dir,
     * as Kafka opens every log: after a crash each recovers its tail, and those scans run side by side. A log that
     * does not open takes only its partition offline (Kafka takes its log dir offline): its log dir gets no marker.
     */
    private int openInternal() throws IOException {
        List<Callable<Partition>> opens = new ArrayList<>();
        slots.forEach(slot -> {
            if (!Topic.isInternal(slot.topic())) {
                return;
            }
            opens.add(() -> {
                try {
                    return slot.get(this::openSlot);
                } catch (IOException | RuntimeException e) {
                    // Only this partition goes offline (its groups answer COORDINATOR_NOT_AVAILABLE); the rest serve.
                    log.error("Could not open the log of {}; it is offline until a restart: {}", slot, e.toString());
                    return null;
                }
            });
        });
        // Every open is waited for (an interrupt is the only failure left): close() then closes all that opened.
        LogDirThreads.runAll(logDirThreads(), "piste-log-recovery", opens);
        return opens.size();
    }

    private int logDirThreads() {
        return Math.max(1, config.numRecoveryThreadsPerDataDir() * logDirs.size());
    }

    /** Opens the log of a slot taken at start-up, in its log dir (or the least loaded one if it has no directory). */
    private Partition openSlot(PartitionSlot slot) throws IOException {
        TopicImage topic = topics.get(slot.topic());
        if (topic == null) {
            return null; // deleted meanwhile
        }
        Path logDir = slot.logDir();
        if (logDir == null) {
            logDir = NewPartitionLogs.leastLoaded(logDirs, slots.perLogDir());
            slot.setLogDir(logDir);
        }
        // A log recovered since the start was closed as at a clean stop (flushed, snapshot and indexes written).
        boolean clean = slot.recovered() || hadCleanShutdown.getOrDefault(logDir, false);
        return openPartition(
                topic,
                slot.index(),
                logDir,
                clean,
                slot.checkpointedRecoveryPoint(),
                slot.checkpointedLogStartOffset(),
                files);
    }

    /** Opens a partition created or grown now, in the log dir holding its directory, else in {@code assigned}. */
    private Partition openNew(TopicImage topic, int index, Path assigned, FileChannelFactory logFiles)
            throws IOException {
        Path logDir = PartitionDirs.logDirHolding(logDirs, topic.name() + "-" + index);
        logDir = logDir != null ? logDir : assigned;
        TopicPartitionKey key = new TopicPartitionKey(topic.name(), index);
        return openPartition(
                topic,
                index,
                logDir,
                hadCleanShutdown.getOrDefault(logDir, false),
                checkpoints.recoveryPoint(logDir, key),
                checkpoints.logStartOffset(logDir, key),
                logFiles);
    }

    /**
     * Opens the partitions from {@code from} to the topic's count that this node holds a replica of, side by side,
     * each in the log dir Kafka's rule gives; puts them in {@code into} at their index.
     */
    private void openNew(TopicImage topic, int from, MetadataImage image, PartitionSlot[] into) throws IOException {
        List<Integer> indexes = new ArrayList<>();
        for (int p = from; p < topic.partitionCount(); p++) {
            if (Assignments.isReplica(image, topic, p, config.nodeId())) {
                indexes.add(p);
            }
        }
        List<Path> dirs = NewPartitionLogs.assignLogDirs(logDirs, slots.perLogDir(), indexes.size());
        List<Partition> opened = NewPartitionLogs.open(
                indexes,
                dirs,
                (index, dir, logFiles) -> openNew(topic, index, dir, logFiles),
                PartitionDirs::closeAndDeleteQuietly,
                files,
                config.logFlushMethod());
        for (int i = 0; i < indexes.size(); i++) {
            into[indexes.get(i)] = PartitionSlot.of(opened.get(i));
        }
    }

    private Partition openPartition(
            TopicImage topic,
            int index,
            Path logDir,
            boolean clean,
            long recoveryPoint,
            long logStartOffset,
            FileChannelFactory logFiles)
            throws IOException {
        Partition partition = opener.open(topic, index, logDir, clean, recoveryPoint, logStartOffset, logFiles);
        Uuid topicId = topic.topicId();
        // Read from the image at each use, so that no change between this open and the slot's is missed.
        partition.followLeaderEpoch(() -> leaderEpochOf(topicId, index));
        List<PartitionImage> states = image.partitions(topicId);
        if (index < states.size() && states.get(index).replicas().size() > 1) {
            partition.startHighWatermarkAt(
                    checkpoints.highWatermark(logDir, new TopicPartitionKey(topic.name(), index)));
        }
        return partition;
    }

    /** The partition's leader epoch in the current image; 0 if it has no state there (a single node). */
    private int leaderEpochOf(Uuid topicId, int index) {
        List<PartitionImage> states = image.partitions(topicId);
        return index < states.size() ? states.get(index).leaderEpoch() : 0;
    }

    /** The log config of {@code topic} now, or null if the topic is gone. */
    private LogConfig logConfigOf(String topic) {
        TopicImage image = topics.get(topic);
        return image == null ? null : TopicConfigs.logConfig(brokerConfigs, image.configs());
    }

    /** This node's id: the partitions it holds are the image's replicas of it. */
    public int nodeId() {
        return config.nodeId();
    }

    /** Retention and DeleteRecords: what moves log start offsets and deletes segments. */
    public LogRetentionService retention() {
        return retention;
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

    /** The page-cache flush for the {@code log.flush.interval.ms} of the broker configs now. */
    private void maybeRescheduleFlush() {
        pageCacheFlush.reschedule(Long.parseLong(TopicConfigs.effectiveValue(brokerConfigs, Map.of(), "flush.ms")));
    }

    /** The period of the page-cache flush scheduled now, or 0 when none is: a seam for tests. */
    long scheduledFlushPeriodMs() {
        return pageCacheFlush.scheduledPeriodMs();
    }

    /** Runs {@code action} on each open log, with its topic as last applied (null if deleted): the cleaner's list. */
    public void forEachOpenedLog(Consumer<OpenedLog> action) {
        slots.forEachOpened(p -> action.accept(new OpenedLog(topics.get(p.topic()), p.index(), p.log())));
    }

    /** Runs {@code action} on each partition of a known topic whose log was not opened and needs no recovery. */
    public void forEachUnopenedLog(Consumer<UnopenedPartitionLog> action) {
        slots.forEach(slot -> {
            TopicImage topic = topics.get(slot.topic());
            if (topic != null
                    && slot.opened() == null
                    && slot.logDir() != null
                    && !slot.failed()
                    && !recoveries.needed(slot)) {
                action.accept(new UnopenedPartitionLog(topic, slot, this::openSlot));
            }
        });
    }

    /** Runs {@code action} on each partition whose log is open (a scrape reads them; it opens none). */
    public void forEachOpenedPartition(Consumer<Partition> action) {
        slots.forEachOpened(action);
    }

    /** The partitions (first) and those that cannot serve (second: failed to open, offline, in a failed dir). */
    public long[] partitionAndOfflineCounts() {
        return slots.partitionAndOfflineCounts(flusher.failedLogDirs());
    }

    /** How many (fetch, partition) waits for data there are over all partitions, for monitoring and tests. */
    public int dataWaiterCount() {
        AtomicInteger count = new AtomicInteger();
        slots.forEachOpened(p -> count.addAndGet(p.dataWaiters().count()));
        return count.get();
    }

    /**
     * Partition {@code index} of {@code topic}, its log opened first if this is its first use; null if the topic or
     * the partition is unknown, or if its log could not be opened (logged once; it stays unavailable, and its log
     * dir gets no clean-shutdown marker, until a restart).
     */
    public Partition partition(String topic, int index) {
        PartitionSlot slot = slots.slot(topic, index);
        if (slot == null) {
            return null;
        }
        try {
            return slot.get(this::openSlot);
        } catch (IOException | RuntimeException e) {
            log.error("Could not open the log of {}; it is unavailable until a restart", slot, e);
            return null;
        }
    }

    /** Each log dir, offline or not, with the size of every partition in it (DescribeLogDirs; opens no log). */
    public List<LogDirUsage.Dir> describeLogDirs() {
        return LogDirUsage.describe(logDirs, flusher.failedLogDirs(), slots::forEach);
    }

    /**
     * Partition {@code index} of {@code topic} for a request (on a network thread): as {@link #partition}, except that
     * a log to recover first is not recovered here; its recovery is queued before any other, and null returned
     * meanwhile ({@link #recovering} tells why).
     */
    public Partition servingPartition(String topic, int index) {
        PartitionSlot slot = slots.slot(topic, index);
        if (slot == null || slot.opened() != null) {
            return slot == null ? null : slot.opened();
        }
        if (recoveries.needed(slot)) {
            recoveries.soon(slot, this::openSlot);
            return null;
        }
        return partition(topic, index);
    }

    /** Logs of the background recovery after an unclean stop not recovered yet: readiness waits for 0. */
    public int pendingRecoveries() {
        return recoveries.pending();
    }

    /** True while the log of partition {@code index} of {@code topic} waits for its recovery (see servingPartition). */
    public boolean recovering(String topic, int index) {
        PartitionSlot slot = slots.slot(topic, index);
        return slot != null && slot.opened() == null && recoveries.needed(slot);
    }

    /** True if partition {@code index} of {@code topic} is here but its log failed to open (until a restart). */
    public boolean failedToOpen(String topic, int index) {
        PartitionSlot slot = slots.slot(topic, index);
        return slot != null && slot.failed();
    }

    @Override
    public void onTopicCreated(TopicImage topic, MetadataImage image) throws IOException {
        this.image = image;
        PartitionSlot[] created = new PartitionSlot[topic.partitionCount()];
        // On a failure the controller removes the topic again; nothing is left open or half-created behind.
        openNew(topic, 0, image, created);
        topics.put(topic.name(), topic);
        slots.put(topic.name(), created);
    }

    @Override
    public void onTopicDeleted(TopicImage topic) throws IOException {
        PartitionSlot[] removed = slots.remove(topic.name());
        topics.remove(topic.name());
        metrics.topics().remove(topic.name());
        if (removed == null) {
            return;
        }
        for (PartitionSlot slot : removed) {
            if (slot != null) { // null: a partition another node holds
                ReplicaLogChanges.delete(slot);
            }
        }
    }

    @Override
    public void onPartitionsAdded(TopicImage topic, int previousCount, MetadataImage image) throws IOException {
        this.image = image;
        PartitionSlot[] old = slots.of(topic.name());
        PartitionSlot[] grown = new PartitionSlot[topic.partitionCount()];
        if (old != null) {
            System.arraycopy(old, 0, grown, 0, Math.min(old.length, previousCount));
        }
        openNew(topic, previousCount, image, grown);
        topics.put(topic.name(), topic);
        slots.put(topic.name(), grown);
    }

    /** The partitions read their leader epochs from this image; replicas a reassignment moved get or lose logs. */
    @Override
    public void onPartitionStatesChanged(TopicImage topic, MetadataImage image) {
        this.image = image;
        replicaChanges.apply(topic, image);
    }

    @Override
    public void onConfigsChanged(TopicImage topic) {
        PartitionSlot[] topicPartitions = slots.of(topic.name());
        if (topicPartitions == null) {
            return;
        }
        // Computed before touching any partition, so that a config that does not apply changes none of them.
        LogConfig logConfig = TopicConfigs.logConfig(brokerConfigs, topic.configs());
        long flushMessages = PartitionOpener.flushIntervalMessages(brokerConfigs, topic);
        int minInsyncReplicas = PartitionOpener.minInsyncReplicas(brokerConfigs, topic);
        topics.put(topic.name(), topic); // a log opened from here on reads its config from this image
        for (PartitionSlot slot : topicPartitions) {
            Partition partition = slot == null ? null : slot.opened();
            if (partition != null) {
                partition.log().updateConfig(logConfig);
                partition.setFlushIntervalMessages(flushMessages);
                partition.setMinInsyncReplicas(minInsyncReplicas);
            }
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
        slots.forEachOpened(p -> {
            // An offline partition's unflushed count never drops: it would wake the flusher every period.
            if (!p.isOffline() && p.log().unflushedMessages() > 0) {
                flusher.markDirty(p);
            }
        });
    }

    /** Writes the checkpoints now: after a follower's truncation, before its log takes new appends. */
    public void checkpointNow() {
        checkpointQuietly();
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (IOException | RuntimeException e) {
            log.warn("Could not write offset checkpoints: {}", e.toString());
        }
    }

    private synchronized void checkpoint() throws IOException {
        checkpoints.write(slots::forEach);
    }

    private static void closeQuietly(Partition p, Set<Path> uncleanDirs) {
        Path dir = p.log().dir().getParent();
        try {
            p.log().close();
        } catch (IOException | RuntimeException e) {
            uncleanDirs.add(dir);
            log.warn("Could not close {} cleanly: {}", p, e.toString());
        }
        if (p.isOffline()) {
            uncleanDirs.add(dir);
        }
    }

    /**
     * Flushes and closes every open log ({@code num.recovery.threads.per.data.dir} threads per log dir, as Kafka
     * does), writes the checkpoints, then the clean-shutdown marker of each log dir whose
     * logs all closed cleanly. A log dir holding a partition offline after a failed fsync gets none (as Kafka
     * writes none for an offline log dir): the next start scans its logs from their recovery points, which never
     * moved past the failure. Nor does a log dir that had no marker at start-up while one of its logs was never
     * opened (so never recovered), or a log dir with a log that failed to open.
     */
    @Override
    public void close() {
        recoveries.close();
        retention.stop();
        LogScheduler.stop(scheduler);
        flusher.close();
        Set<Path> uncleanDirs = ConcurrentHashMap.newKeySet();
        uncleanDirs.addAll(flusher.failedLogDirs());
        if (!started) {
            // Start-up failed: partitions it never reached, or whose recovery failed, are not open, so
            // neither a checkpoint nor a marker may speak for these log dirs; the next start recovers them all.
            uncleanDirs.addAll(logDirs);
        }
        List<Callable<Void>> closes = new ArrayList<>();
        slots.forEach(slot -> {
            Partition p = slot.retire();
            Path dir = slot.logDir();
            if (p != null) {
                closes.add(() -> {
                    closeQuietly(p, uncleanDirs);
                    return null;
                });
            } else if (dir != null && (slot.failed() || recoveries.needed(slot))) {
                uncleanDirs.add(dir);
            }
        });
        try {
            LogDirThreads.runAll(logDirThreads(), "piste-log-close", closes);
        } catch (IOException e) {
            // Interrupted: the logs not closed yet are left for the next start's recovery.
            log.warn("Close of the logs interrupted: {}", e.toString());
            uncleanDirs.addAll(logDirs);
        }
        if (started) {
            checkpointQuietly();
        }
        retention.close();
        for (Path dir : logDirs) {
            if (uncleanDirs.contains(dir)) {
                log.warn(
                        "No clean-shutdown marker in {}: a log in it did not close cleanly or was never recovered; "
                                + "the next start recovers its logs",
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
