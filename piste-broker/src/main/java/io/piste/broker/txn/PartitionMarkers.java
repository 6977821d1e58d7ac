package io.piste.broker.txn;

import io.piste.broker.partition.Partition;
import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.log.LogAppendInfo;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes markers straight into the partitions' logs: on one node the coordinator is every partition's leader, so
 * the markers Kafka sends as WriteTxnMarkers go through the append a WriteTxnMarkers request takes. A marker in
 * {@code __consumer_offsets} also completes the transaction's offsets there ({@link TransactionalOffsets}).
 */
public final class PartitionMarkers implements MarkerWriter {

    private static final Logger log = LoggerFactory.getLogger(PartitionMarkers.class);
    /** One node has one coordinator that never moves: its epoch in the markers is constant. */
    public static final int COORDINATOR_EPOCH = 0;

    private final Function<TopicPartition, Partition> partitions;
    private final Predicate<TopicPartition> exists;
    private final Function<Exception, Errors> storageErrors;
    private final TransactionalOffsets offsets;

    /**
     * @param partitions a partition by name, its log opened if needed; null if unknown or unavailable
     * @param exists whether a partition is known (a null partition that exists is unavailable, not gone)
     * @param storageErrors Kafka's error for an exception of the log
     */
    public PartitionMarkers(
            Function<TopicPartition, Partition> partitions,
            Predicate<TopicPartition> exists,
            Function<Exception, Errors> storageErrors,
            TransactionalOffsets offsets) {
        this.partitions = partitions;
        this.exists = exists;
        this.storageErrors = storageErrors;
        this.offsets = offsets;
    }

    /**
     * Whether a marker the log refused for its epoch is in the log already: with transaction version 2 the marker
     * carries the epoch the end bumped to, and nothing but that marker can give the partition's producer that epoch
     * (its next transaction cannot start here before the end completes), so a producer at exactly that epoch with no
     * open transaction has it. Kafka's coordinator sends the markers of a decision again after a restart too.
     */
    private static boolean alreadyWritten(
            Partition partition, long producerId, short producerEpoch, short transactionVersion) {
        if (transactionVersion < 2) {
            return false;
        }
        try {
            return partition.activeProducers().stream()
                    .anyMatch(p -> p.producerId() == producerId && p.epoch() == producerEpoch && !p.inTransaction());
        } catch (LogStorageException offline) {
            return false;
        }
    }

    private void refused(
            Map<TopicPartition, Errors> failed, TopicPartition tp, long producerId, short producerEpoch, Exception e) {
        log.warn(
                "Could not write a marker of producer {} epoch {} to {}: {}",
                producerId,
                producerEpoch,
                tp,
                e.toString());
        failed.put(tp, storageErrors.apply(e));
    }

    @Override
    public void write(
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            int coordinatorEpoch,
            Set<TopicPartition> targets,
            Consumer<Map<TopicPartition, Errors>> done) {
        Map<TopicPartition, Errors> failed = new ConcurrentHashMap<>();
        AtomicInteger outstanding = new AtomicInteger(1);
        for (TopicPartition tp : targets) {
            Partition partition = partitions.apply(tp);
            if (partition == null) {
                failed.put(tp, exists.test(tp) ? Errors.KAFKA_STORAGE_ERROR : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            LogAppendInfo info;
            try {
                info = partition.appendTransactionMarker(
                        producerId, producerEpoch, coordinatorEpoch, commit, transactionVersion);
            } catch (InvalidProducerEpochException e) {
                if (!alreadyWritten(partition, producerId, producerEpoch, transactionVersion)) {
                    refused(failed, tp, producerId, producerEpoch, e);
                    continue;
                }
                // a decision resumed after a restart: this marker reached the log before the crash
                log.info(
                        "The {} marker of producer {} epoch {} is in {} already",
                        commit ? "COMMIT" : "ABORT",
                        producerId,
                        producerEpoch,
                        tp);
                info = null;
            } catch (IOException | RuntimeException e) {
                refused(failed, tp, producerId, producerEpoch, e);
                continue;
            }
            outstanding.incrementAndGet();
            partition.whenDurable(info == null ? partition.logEndOffset() : info.lastOffset() + 1, error -> {
                if (error != Errors.NONE) {
                    failed.put(tp, error);
                } else if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                    offsets.complete(tp.partition(), producerId, commit);
                }
                if (outstanding.decrementAndGet() == 0) {
                    done.accept(Map.copyOf(failed));
                }
            });
        }
        if (outstanding.decrementAndGet() == 0) {
            done.accept(Map.copyOf(failed));
        }
    }
}
