package io.piste.broker.handler;

import io.piste.broker.partition.FetchIsolation;
import io.piste.broker.partition.LogReadInfo;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.FileSliceRecords;
import io.piste.broker.replication.LeaderThrottle;
import io.piste.storage.index.AbortedTxn;
import io.piste.storage.log.FetchDataInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Reads the data of one fetch request into a response, as Kafka bounds it: at most {@code maxBytes} in all
 * and {@code partitionMaxBytes} per partition, except that the first batch found is sent whole even when it
 * is larger, so a consumer can always make progress. Each partition is read up to the bound of the request's
 * isolation ({@link Partition#read}), with the aborted transactions of the records read for read_committed (the
 * consumer drops their records); a partition that cannot be read (offline, offset out of range) gets its error
 * code instead. Called on the event loop of the fetch's connection, by the fetch and then by its delayed checks.
 */
final class FetchReader {

    /** A read's answer; {@link #countBytesOut} once it is sent. */
    record Result(FetchResponseData response, long bytes, boolean hasError, FetchReader reader) {
        /**
         * Adds this read's bytes to each partition's topic meters (BytesOutPerSec, or ReplicationBytesOutPerSec for a
         * follower's fetch): call when answering with it.
         */
        void countBytesOut() {
            reader.countBytesOut();
        }
    }

    private final List<FetchTarget> targets;
    /** Per target, the record bytes of the last read: what the answer built from it carries. */
    private final int[] readBytes;

    private final int maxBytes;
    private final FetchIsolation isolation;
    private final LeaderThrottle throttle;

    /** Without a replication throttle (a single node). */
    FetchReader(List<FetchTarget> targets, int maxBytes, FetchIsolation isolation) {
        this(targets, maxBytes, isolation, LeaderThrottle.NONE);
    }

    /** {@code throttle} counts what a follower's fetch sends of the partitions the leader throttles. */
    FetchReader(List<FetchTarget> targets, int maxBytes, FetchIsolation isolation, LeaderThrottle throttle) {
        this.targets = targets;
        this.maxBytes = maxBytes;
        this.isolation = isolation;
        this.throttle = throttle;
        this.readBytes = new int[targets.size()];
    }

    Result read() {
        FetchResponseData response = new FetchResponseData();
        FetchableTopicResponse topicResponse = null;
        long bytes = 0;
        boolean hasError = false;
        for (int i = 0; i < targets.size(); i++) {
            FetchTarget target = targets.get(i);
            if (topicResponse == null || !sameTopic(topicResponse, target)) {
                topicResponse = new FetchableTopicResponse()
                        .setTopic(target.topicName())
                        .setTopicId(target.topicId());
                response.responses().add(topicResponse);
            }
            PartitionData data = new PartitionData()
                    .setPartitionIndex(target.partitionIndex())
                    .setRecords(MemoryRecords.EMPTY);
            topicResponse.partitions().add(data);
            Errors error = target.error() != Errors.NONE
                    ? target.error()
                    // Deleted with its topic while the fetch was parked: as Kafka answers for a partition it stopped.
                    : target.partition().isDeleted()
                            ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                            : readPartition(
                                    target,
                                    data,
                                    (int) Math.min(Integer.MAX_VALUE, Math.max(0, maxBytes - bytes)),
                                    bytes == 0);
            if (error != Errors.NONE) {
                data.setErrorCode(error.code())
                        .setHighWatermark(-1)
                        .setLastStableOffset(-1)
                        .setLogStartOffset(-1);
                hasError = true;
                // An offline partition tells nothing of its offsets, as Kafka answers KAFKA_STORAGE_ERROR.
                if (target.partition() != null && error != Errors.KAFKA_STORAGE_ERROR) {
                    Partition partition = target.partition();
                    data.setHighWatermark(partition.highWatermark())
                            .setLastStableOffset(partition.lastStableOffset())
                            .setLogStartOffset(partition.logStartOffset());
                }
            }
            readBytes[i] = data.records().sizeInBytes();
            bytes += readBytes[i];
        }
        return new Result(response, bytes, hasError, this);
    }

    private void countBytesOut() {
        long nowMs = System.currentTimeMillis();
        for (int i = 0; i < readBytes.length; i++) {
            Partition partition = targets.get(i).partition();
            if (readBytes[i] > 0 && partition != null) {
                if (isolation == FetchIsolation.LOG_END) { // a follower's fetch
                    partition.meters().recordReplicated(readBytes[i]);
                    throttle.sent(partition.topic(), partition.index(), readBytes[i], nowMs);
                } else {
                    partition.meters().recordFetched(readBytes[i]);
                }
            }
        }
    }

    private static boolean sameTopic(FetchableTopicResponse response, FetchTarget target) {
        return response.topic().equals(target.topicName()) && response.topicId().equals(target.topicId());
    }

    private static List<AbortedTransaction> abortedTransactions(List<AbortedTxn> aborted) {
        List<AbortedTransaction> result = new ArrayList<>(aborted.size());
        for (AbortedTxn txn : aborted) {
            result.add(new AbortedTransaction().setProducerId(txn.producerId()).setFirstOffset(txn.firstOffset()));
        }
        return result;
    }

    private Errors readPartition(FetchTarget target, PartitionData data, int bytesLeft, boolean firstData) {
        if (target.answeredWithoutRecords() || target.recordsHeldBack()) {
            // A follower truncates first (where its log diverged) or waits for the throttle's quota, or a consumer
            // reads elsewhere (KIP-392): no records, the leader's offsets.
            Partition partition = target.partition();
            data.setHighWatermark(partition.highWatermark())
                    .setLastStableOffset(partition.lastStableOffset())
                    .setLogStartOffset(partition.logStartOffset())
                    .setPreferredReadReplica(target.preferredReadReplica());
            if (target.diverging() != null) {
                data.setDivergingEpoch(target.diverging());
            }
            return Errors.NONE;
        }
        int limit = Math.min(target.partitionMaxBytes(), bytesLeft);
        try {
            LogReadInfo info = target.partition().read(target.fetchOffset(), limit, isolation, firstData);
            data.setHighWatermark(info.highWatermark())
                    .setLastStableOffset(info.lastStableOffset())
                    .setLogStartOffset(info.logStartOffset());
            // null for read_uncommitted, as Kafka answers (the list is only read under read_committed)
            data.setAbortedTransactions(
                    info.abortedTransactions() == null ? null : abortedTransactions(info.abortedTransactions()));
            FetchDataInfo fetched = info.fetchedData();
            if (!fetched.isEmpty()) {
                data.setRecords(new FileSliceRecords(fetched.channel(), fetched.position(), fetched.sizeInBytes()));
            }
            return Errors.NONE;
        } catch (IOException | RuntimeException e) {
            return StorageErrors.forException(e);
        }
    }
}
