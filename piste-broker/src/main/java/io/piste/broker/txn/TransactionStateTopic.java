package io.piste.broker.txn;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.InternalTopicLoader;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.log.LogAppendInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactional ids' states in the compacted internal topic {@code __transaction_state}, as Kafka keeps them: an id's
 * records go to partition {@code abs(transactionalId.hashCode()) % partitions} ({@link #partitionFor}), one
 * uncompressed v2 batch of one record per write, in Kafka's record format ({@link TransactionLogCodec}); a removed id
 * gets a tombstone. The topic is created at the first write with {@code transaction.state.log.num.partitions}
 * partitions and Kafka's configs for it (compacted, {@code transaction.state.log.segment.bytes}, uncompressed, no
 * unclean election); {@link #load} replays it at start-up. Clients cannot produce to it (it is internal).
 *
 * <p>Thread-safe: appends are serialized, so that the writes of an id reach the log, and their callbacks run, in the
 * order of the calls; no lock is held while a callback runs.
 */
public final class TransactionStateTopic implements TransactionLog {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionStateTopic.class);
    public static final String NAME = Topic.TRANSACTION_STATE_TOPIC_NAME;
    static final int LOAD_READ_BYTES = 1024 * 1024;

    private final Controller controller;
    private final LogManager replicas;
    private final TransactionConfig config;
    private final LongSupplier clockMs;
    private final short replicationFactor;
    private final int minInsyncReplicas;

    /** A single node's: the topic has one replica. */
    public TransactionStateTopic(
            Controller controller, LogManager replicas, TransactionConfig config, LongSupplier clockMs) {
        this(controller, replicas, config, clockMs, (short) 1, 1);
    }

    /**
     * @param clockMs wall-clock milliseconds, for the batches' timestamps
     * @param replicationFactor {@code transaction.state.log.replication.factor} in a cluster (1 on a single node): the
     *     topic is not created while fewer brokers serve (Kafka's INVALID_REPLICATION_FACTOR; FindCoordinator
     *     answers COORDINATOR_NOT_AVAILABLE meanwhile)
     * @param minInsyncReplicas {@code transaction.state.log.min.isr}, the topic's {@code min.insync.replicas} when it
     *     has more than one replica
     */
    public TransactionStateTopic(
            Controller controller,
            LogManager replicas,
            TransactionConfig config,
            LongSupplier clockMs,
            short replicationFactor,
            int minInsyncReplicas) {
        this.controller = controller;
        this.replicas = replicas;
        this.config = config;
        this.clockMs = clockMs;
        this.replicationFactor = replicationFactor;
        this.minInsyncReplicas = minInsyncReplicas;
    }

    /** Kafka's mapping of a transactional id to its partition of {@code __transaction_state}. */
    public static int partitionFor(String transactionalId, int partitionCount) {
        return Utils.abs(transactionalId.hashCode()) % partitionCount;
    }

    /** The configs the topic is created with (Kafka's TransactionStateManager.transactionTopicConfigs). */
    static Map<String, String> topicConfigs(int segmentBytes) {
        return topicConfigs(segmentBytes, 1);
    }

    /** As Kafka's: with more than one replica, {@code min.insync.replicas} is {@code transaction.state.log.min.isr}. */
    static Map<String, String> topicConfigs(int segmentBytes, int minInsyncReplicas) {
        Map<String, String> configs = new HashMap<>(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.SEGMENT_BYTES_CONFIG,
                String.valueOf(segmentBytes),
                TopicConfig.COMPRESSION_TYPE_CONFIG,
                "uncompressed",
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
                "false"));
        if (minInsyncReplicas > 1) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(minInsyncReplicas));
        }
        return Map.copyOf(configs);
    }

    @Override
    public void write(TransactionLogEntry entry, Consumer<Errors> done) {
        byte[] key;
        byte[] value;
        try {
            key = TransactionLogCodec.key(entry.transactionalId());
            value = TransactionLogCodec.value(entry);
        } catch (IllegalArgumentException e) {
            LOG.warn("Refused to write the state of transactional id {}: {}", abbreviated(entry), e.getMessage());
            done.accept(Errors.INVALID_REQUEST);
            return;
        }
        append(entry.transactionalId(), key, value, done);
    }

    @Override
    public void remove(String transactionalId, Consumer<Errors> done) {
        byte[] key;
        try {
            key = TransactionLogCodec.key(transactionalId);
        } catch (IllegalArgumentException e) {
            // never written, so there is nothing to remove
            done.accept(Errors.NONE);
            return;
        }
        append(transactionalId, key, null, done);
    }

    /**
     * Appends one record to the id's partition under this topic's lock, then calls {@code done} once it is durable
     * ({@code whenDurable} keeps the order of the calls). Errors as Kafka's coordinator maps its append errors: the
     * partition's storage failed (offline, or its log did not open) gives NOT_COORDINATOR, anything else
     * COORDINATOR_NOT_AVAILABLE.
     */
    private void append(String transactionalId, byte[] key, byte[] value, Consumer<Errors> done) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                ByteBuffer.allocate(128 + key.length + (value == null ? 0 : value.length)),
                Compression.NONE,
                TimestampType.CREATE_TIME,
                0L);
        builder.append(clockMs.getAsLong(), key, value);
        ByteBuffer batch = builder.build().buffer();
        Partition partition = null;
        LogAppendInfo info = null;
        Errors error = Errors.NONE;
        synchronized (this) {
            try {
                partition = leaderPartitionOf(transactionalId);
                if (partition == null) {
                    error = Errors.NOT_COORDINATOR;
                } else {
                    info = partition.appendRecordsToLeader(batch);
                }
            } catch (LogStorageException e) {
                LOG.warn("Could not write the state of transactional id {}: {}", transactionalId, e.toString());
                error = Errors.NOT_COORDINATOR;
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not write the state of transactional id {}: {}", transactionalId, e.toString());
                error = Errors.COORDINATOR_NOT_AVAILABLE;
            }
        }
        if (error != Errors.NONE) {
            done.accept(error);
            return;
        }
        partition.whenDurable(info.lastOffset() + 1, durable -> done.accept(coordinatorError(durable)));
    }

    private static Errors coordinatorError(Errors durable) {
        if (durable == Errors.NONE) {
            return Errors.NONE;
        }
        return durable == Errors.KAFKA_STORAGE_ERROR ? Errors.NOT_COORDINATOR : Errors.COORDINATOR_NOT_AVAILABLE;
    }

    /**
     * The id's partition, the topic created first if it does not exist; null if the partition's log is unusable or
     * another node leads it (a coordinator that lost the partition must not write to its follower's log).
     */
    private Partition leaderPartitionOf(String transactionalId) throws IOException {
        TopicImage topic = topic();
        int index = partitionFor(transactionalId, topic.partitionCount());
        MetadataImage image = controller.image();
        return Assignments.leads(image, topic, index, replicas.nodeId()) ? replicas.partition(NAME, index) : null;
    }

    @Override
    public int partitionOf(String transactionalId) {
        TopicImage topic = controller.image().topic(NAME);
        return partitionFor(transactionalId, topic == null ? config.stateLogPartitions() : topic.partitionCount());
    }

    /** The topic, created first if it does not exist (at the first write, or to find a coordinator). */
    public TopicImage topic() throws IOException {
        TopicImage topic = controller.image().topic(NAME);
        if (topic == null) {
            try {
                topic = controller.createTopic(
                        NAME,
                        config.stateLogPartitions(),
                        replicationFactor,
                        topicConfigs(config.stateLogSegmentBytes(), replicationFactor > 1 ? minInsyncReplicas : 1));
                LOG.info(
                        "Created {} with {} partitions of {} replicas",
                        NAME,
                        config.stateLogPartitions(),
                        replicationFactor);
            } catch (TopicExistsException e) {
                topic = controller.image().topic(NAME);
            }
        }
        return topic;
    }

    /**
     * Replays every partition of the topic (if it exists): the last entry of each transactional id, without the ids
     * whose last record is a tombstone. A record that does not decode is logged and skipped
     * ({@link TransactionStateLoader}), with one WARN line summing up the skips; only an I/O error stops the load.
     */
    @Override
    public Map<String, TransactionLogEntry> load() throws IOException {
        Map<String, TransactionLogEntry> loaded = new HashMap<>();
        TopicImage topic = controller.image().topic(NAME);
        if (topic == null) {
            return loaded;
        }
        long skipped = 0;
        for (int p = 0; p < topic.partitionCount(); p++) {
            skipped += loadPartition(p, loaded);
        }
        loaded.values().removeIf(Objects::isNull);
        if (skipped > 0) {
            LOG.warn("Skipped {} records or batches of {} that did not decode (each logged above)", skipped, NAME);
        }
        return loaded;
    }

    @Override
    public Map<String, TransactionLogEntry> load(int partition) throws IOException {
        Map<String, TransactionLogEntry> loaded = new HashMap<>();
        long skipped = loadPartition(partition, loaded);
        loaded.values().removeIf(Objects::isNull);
        if (skipped > 0) {
            LOG.warn(
                    "Skipped {} records or batches of {}-{} that did not decode (each logged above)",
                    skipped,
                    NAME,
                    partition);
        }
        return loaded;
    }

    /** Replays one partition (if its log is open here) into {@code loaded}; returns the records skipped. */
    private long loadPartition(int index, Map<String, TransactionLogEntry> loaded) throws IOException {
        Partition partition = replicas.partition(NAME, index);
        if (partition == null) {
            return 0;
        }
        TransactionStateLoader loader = new TransactionStateLoader(index, loaded);
        loader.load(InternalTopicLoader.LogSource.of(partition), LOAD_READ_BYTES);
        return loader.skips();
    }

    private static String abbreviated(TransactionLogEntry entry) {
        String id = entry.transactionalId();
        return id.length() <= 64 ? id : id.substring(0, 64) + "... (" + id.length() + " chars)";
    }
}
