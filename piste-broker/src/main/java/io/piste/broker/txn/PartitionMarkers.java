package io.piste.broker.txn;

import io.piste.broker.partition.Partition;
import io.piste.storage.log.LogAppendInfo;
import java.io.IOException;
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
 * what Kafka sends as WriteTxnMarkers goes through the same append a WriteTxnMarkers request takes. A marker in
 * {@code __consumer_offsets} also completes the transaction's offsets there ({@link TransactionalOffsets}).
 */
public final class PartitionMarkers implements MarkerWriter {

    private static final Logger log = LoggerFactory.getLogger(PartitionMarkers.class);
    /** One node has one coordinator that never moves: its epoch in the markers is constant. */
    static final int COORDINATOR_EPOCH = 0;

    private final Function<TopicPartition, Partition> partitions;
    private final Predicate<TopicPartition> exists;
    private final TransactionalOffsets offsets;

    /**
     * @param partitions a partition by name, its log opened if needed; null if unknown or unavailable
     * @param exists whether a partition is known (a null partition that exists is unavailable, not gone)
     */
    public PartitionMarkers(
            Function<TopicPartition, Partition> partitions,
            Predicate<TopicPartition> exists,
            TransactionalOffsets offsets) {
        this.partitions = partitions;
        this.exists = exists;
        this.offsets = offsets;
    }

    @Override
    public void write(
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            Set<TopicPartition> targets,
            Consumer<Set<TopicPartition>> done) {
        Set<TopicPartition> failed = ConcurrentHashMap.newKeySet();
        AtomicInteger outstanding = new AtomicInteger(1);
        for (TopicPartition tp : targets) {
            Partition partition = partitions.apply(tp);
            if (partition == null) {
                if (exists.test(tp)) {
                    failed.add(tp);
                }
                continue;
            }
            LogAppendInfo info;
            try {
                info = partition.appendTransactionMarker(producerId, producerEpoch, COORDINATOR_EPOCH, commit);
            } catch (IOException e) {
                log.warn("Could not write a marker of producer {} to {}: {}", producerId, tp, e.toString());
                failed.add(tp);
                continue;
            } catch (RuntimeException e) {
                // the log refuses this marker for good (a newer epoch of the producer wrote there): writing it again
                // would fail the same way forever
                log.error(
                        "{} refused the marker of producer {} epoch {}: {}",
                        tp,
                        producerId,
                        producerEpoch,
                        e.toString());
                continue;
            }
            outstanding.incrementAndGet();
            partition.whenDurable(info.lastOffset() + 1, error -> {
                if (error != Errors.NONE) {
                    failed.add(tp);
                } else if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                    offsets.complete(tp.partition(), producerId, commit);
                }
                if (outstanding.decrementAndGet() == 0) {
                    done.accept(Set.copyOf(failed));
                }
            });
        }
        if (outstanding.decrementAndGet() == 0) {
            done.accept(Set.copyOf(failed));
        }
    }
}
