package io.piste.broker.handler;

import io.piste.broker.fetchsession.PartitionFetch;
import io.piste.broker.partition.Partition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition of a fetch request, resolved: the partition itself or the error that replaces its data; for a
 * follower whose log diverged from the leader's, where the leader's log of the follower's last epoch ends
 * ({@code diverging}, Fetch v12+), answered instead of records; for a follower that told it (Fetch v18+, KIP-1166),
 * the high watermark it knows ({@link PartitionFetch#NOT_TOLD} otherwise); for a consumer sent to another replica
 * (KIP-392), that replica ({@code preferredReadReplica}, -1 if none), answered instead of records; for a follower
 * the leader's replication throttle holds back, {@code recordsHeldBack}: its records wait, its offsets are answered.
 */
record FetchTarget(
        String topicName,
        Uuid topicId,
        int partitionIndex,
        long fetchOffset,
        int partitionMaxBytes,
        Partition partition,
        Errors error,
        EpochEndOffset diverging,
        long knownHighWatermark,
        int preferredReadReplica,
        boolean recordsHeldBack) {

    FetchTarget(
            String topicName,
            Uuid topicId,
            int partitionIndex,
            long fetchOffset,
            int partitionMaxBytes,
            Partition partition,
            Errors error) {
        this(
                topicName,
                topicId,
                partitionIndex,
                fetchOffset,
                partitionMaxBytes,
                partition,
                error,
                null,
                PartitionFetch.NOT_TOLD,
                -1,
                false);
    }

    /** The same target with another error. */
    FetchTarget failed(Errors error) {
        return new FetchTarget(topicName, topicId, partitionIndex, fetchOffset, partitionMaxBytes, partition, error);
    }

    /** The same target, for a follower whose log diverges from the leader's there: answered with no records. */
    FetchTarget diverged(EpochEndOffset diverging) {
        return with(Errors.NONE, diverging, PartitionFetch.NOT_TOLD, -1, false);
    }

    /** The same target, for a follower that knows {@code highWatermark}. */
    FetchTarget knowing(long highWatermark) {
        return with(error, diverging, highWatermark, preferredReadReplica, recordsHeldBack);
    }

    /** The same target, for a consumer told to read from {@code replicaId}: answered with no records. */
    FetchTarget readFrom(int replicaId) {
        return with(error, diverging, knownHighWatermark, replicaId, recordsHeldBack);
    }

    /** The same target, its records held back by the leader's replication throttle: answered with its offsets. */
    FetchTarget heldBack() {
        return with(error, diverging, knownHighWatermark, preferredReadReplica, true);
    }

    /** The same partition and fetch position, with these answers. */
    private FetchTarget with(
            Errors error,
            EpochEndOffset diverging,
            long knownHighWatermark,
            int preferredReadReplica,
            boolean recordsHeldBack) {
        return new FetchTarget(
                topicName,
                topicId,
                partitionIndex,
                fetchOffset,
                partitionMaxBytes,
                partition,
                error,
                diverging,
                knownHighWatermark,
                preferredReadReplica,
                recordsHeldBack);
    }

    /** Whether it is answered at once with no records: a divergence, or another replica to read from. */
    boolean answeredWithoutRecords() {
        return diverging != null || preferredReadReplica >= 0;
    }

    /**
     * Whether the fetcher knows an older high watermark than this leader's: KIP-1166's reason to answer a follower
     * at once, with no new record, rather than park its fetch for {@code replica.fetch.wait.max.ms}. A follower that
     * becomes leader starts from the high watermark it knows; below {@code min.insync.replicas} it cannot move it.
     */
    boolean highWatermarkNews() {
        return partition != null && error == Errors.NONE && partition.highWatermark() > knownHighWatermark;
    }
}
