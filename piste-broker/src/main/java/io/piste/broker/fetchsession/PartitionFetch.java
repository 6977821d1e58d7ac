package io.piste.broker.fetchsession;

import org.apache.kafka.common.Uuid;

/**
 * One partition a fetch must read, as the request or the session gives it. {@code topic} is null when the session
 * knows the topic only by id (fetch v13+); {@code topicId} is {@link Uuid#ZERO_UUID} when it knows it only by name.
 * {@code knownHighWatermark} is the high watermark a follower says it knows (Fetch v18+, KIP-1166): -1 if none,
 * {@link #NOT_TOLD} from a consumer, an older follower, or a session. {@code logStartOffset} is a follower's own log
 * start (-1 from a consumer).
 */
public record PartitionFetch(
        Uuid topicId,
        String topic,
        int partition,
        long fetchOffset,
        int partitionMaxBytes,
        int currentLeaderEpoch,
        int lastFetchedEpoch,
        long knownHighWatermark,
        long logStartOffset) {

    /** Fetch v18's default for the follower's high watermark: the fetcher does not tell it. */
    public static final long NOT_TOLD = Long.MAX_VALUE;
}
