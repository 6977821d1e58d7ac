package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition of a fetch request, resolved: the partition itself or the error that replaces its data; for a
 * follower whose log diverged from the leader's, where the leader's log of the follower's last epoch ends
 * ({@code diverging}, Fetch v12+), answered instead of records.
 */
record FetchTarget(
        String topicName,
        Uuid topicId,
        int partitionIndex,
        long fetchOffset,
        int partitionMaxBytes,
        Partition partition,
        Errors error,
        EpochEndOffset diverging) {

    FetchTarget(
            String topicName,
            Uuid topicId,
            int partitionIndex,
            long fetchOffset,
            int partitionMaxBytes,
            Partition partition,
            Errors error) {
        this(topicName, topicId, partitionIndex, fetchOffset, partitionMaxBytes, partition, error, null);
    }
}
