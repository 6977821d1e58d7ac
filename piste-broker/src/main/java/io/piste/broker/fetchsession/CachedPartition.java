package io.piste.broker.fetchsession;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition of a fetch session: the fetcher's last request parameters that Piste reads by (fetch offset, maximum
 * bytes, current and last fetched leader epochs, a follower's log start offset), and the high watermark and log start
 * offset last reported to it, which decide whether an incremental response must carry the partition again.
 *
 * <p>The fetch offset is only ever the one the client sent: the broker does not advance it past what it returned,
 * because the client ({@code FetchSessionHandler}) re-sends a partition exactly when its position (or any other
 * field) differs from what it last sent. A partition the client does not mention is read again from the same offset.
 *
 * <p>Not thread-safe: guarded by its {@link FetchSession}'s monitor.
 */
final class CachedPartition {

    /** What a partition added by an incremental fetch has "reported": nothing, so its first response carries it. */
    static final long NOT_REPORTED = -1L;

    private final SessionPartitionKey key;
    private final Uuid topicId;
    private final String topic;
    private long fetchOffset;
    private int partitionMaxBytes;
    private int currentLeaderEpoch;
    private int lastFetchedEpoch = -1;
    /** The log start offset a follower sent (KIP-392's check of it); -1 from a consumer. */
    private long fetcherLogStartOffset = -1;

    private long highWatermark = NOT_REPORTED;
    private long logStartOffset = NOT_REPORTED;

    CachedPartition(SessionPartitionKey key, Uuid topicId, String topic, FetchPartition request) {
        this.key = key;
        this.topicId = topicId == null ? Uuid.ZERO_UUID : topicId;
        this.topic = topic;
        updateRequestParams(request);
    }

    SessionPartitionKey key() {
        return key;
    }

    void updateRequestParams(FetchPartition request) {
        fetchOffset = request.fetchOffset();
        partitionMaxBytes = request.partitionMaxBytes();
        currentLeaderEpoch = request.currentLeaderEpoch();
        lastFetchedEpoch = request.lastFetchedEpoch();
        fetcherLogStartOffset = request.logStartOffset();
    }

    PartitionFetch toFetch() {
        return new PartitionFetch(
                topicId,
                topic,
                key.partition(),
                fetchOffset,
                partitionMaxBytes,
                currentLeaderEpoch,
                lastFetchedEpoch,
                PartitionFetch.NOT_TOLD,
                fetcherLogStartOffset);
    }

    /**
     * Whether an incremental response must carry this partition, given what was read for it: records, an error,
     * a diverging epoch, a preferred read replica, or a high watermark or log start offset other than the one last
     * reported. Like Kafka, the last stable offset alone does not make a partition reported.
     *
     * @param update true when the response is being sent, so that what it reports is remembered
     */
    boolean maybeUpdateResponseData(PartitionData data, boolean update) {
        boolean mustRespond = data.records() != null && data.records().sizeInBytes() > 0;
        if (highWatermark != data.highWatermark()) {
            mustRespond = true;
            if (update) {
                highWatermark = data.highWatermark();
            }
        }
        if (logStartOffset != data.logStartOffset()) {
            mustRespond = true;
            if (update) {
                logStartOffset = data.logStartOffset();
            }
        }
        if (data.preferredReadReplica() >= 0 || data.divergingEpoch().epoch() >= 0) {
            mustRespond = true;
        }
        if (data.errorCode() != Errors.NONE.code()) {
            // Forget the reported high watermark so that the partition is reported again once the error is gone.
            if (update) {
                highWatermark = NOT_REPORTED;
            }
            mustRespond = true;
        }
        return mustRespond;
    }

    long fetchOffset() {
        return fetchOffset;
    }

    @Override
    public String toString() {
        return (topic != null ? topic : topicId) + "-" + key.partition() + "@" + fetchOffset;
    }
}
