package io.piste.broker.fetchsession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * One incremental fetch session: its id, the epoch its next request must carry, and its partitions in the order
 * they are read. Partitions that returned records move to the end of that order, so that under a fetch's
 * {@code max_bytes} one busy partition cannot starve the others.
 *
 * <p>Thread-safe: its partitions and epoch are guarded by its own monitor. Its last-used time and cached size belong
 * to the {@link FetchSessionCache} and are guarded by the cache's monitor.
 */
public final class FetchSession {

    private final int id;
    private final boolean privileged;
    private final boolean usesTopicIds;
    private final long creationMs;
    private final LinkedHashMap<SessionPartitionKey, CachedPartition> partitions;
    private int epoch = FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH);
    // Cache bookkeeping, guarded by the cache: -1 until the cache first counted the session.
    long lastUsedMs;
    int cachedSize = -1;

    FetchSession(
            int id,
            boolean privileged,
            boolean usesTopicIds,
            long creationMs,
            LinkedHashMap<SessionPartitionKey, CachedPartition> partitions) {
        this.id = id;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.creationMs = creationMs;
        this.lastUsedMs = creationMs;
        this.partitions = partitions;
    }

    public int id() {
        return id;
    }

    boolean privileged() {
        return privileged;
    }

    boolean usesTopicIds() {
        return usesTopicIds;
    }

    long creationMs() {
        return creationMs;
    }

    synchronized int epoch() {
        return epoch;
    }

    synchronized void advanceEpoch() {
        epoch = FetchMetadata.nextEpoch(epoch);
    }

    synchronized int size() {
        return partitions.size();
    }

    synchronized boolean isEmpty() {
        return partitions.isEmpty();
    }

    /**
     * Applies an incremental request: partitions in {@code topics} are added or get the new request parameters
     * (keeping their place in the order), then those in {@code forgotten} are removed; partitions never added are
     * ignored. Every partition not mentioned keeps its last fetch offset.
     */
    synchronized void update(List<FetchTopic> topics, List<ForgottenTopic> forgotten) {
        for (FetchTopic topic : topics) {
            for (FetchPartition request : topic.partitions()) {
                SessionPartitionKey key =
                        SessionPartitionKey.of(usesTopicIds, topic.topicId(), topic.topic(), request.partition());
                CachedPartition cached = partitions.get(key);
                if (cached == null) {
                    partitions.put(key, new CachedPartition(key, topic.topicId(), key.topic(), request));
                } else {
                    cached.updateRequestParams(request);
                }
            }
        }
        for (ForgottenTopic topic : forgotten) {
            for (int partition : topic.partitions()) {
                partitions.remove(SessionPartitionKey.of(usesTopicIds, topic.topicId(), topic.topic(), partition));
            }
        }
    }

    /** The partitions in read order, for one request; the list is the caller's. */
    synchronized List<CachedPartition> partitionsInOrder() {
        return new ArrayList<>(partitions.values());
    }

    /** Moves a partition that returned records to the end of the read order, if it is still in the session. */
    void moveToEnd(CachedPartition partition) {
        assert Thread.holdsLock(this);
        if (partitions.remove(partition.key(), partition)) {
            partitions.put(partition.key(), partition);
        }
    }

    /** The partition keys in read order (for tests and logs). */
    synchronized List<SessionPartitionKey> keys() {
        return new ArrayList<>(partitions.keySet());
    }

    synchronized CachedPartition partition(SessionPartitionKey key) {
        return partitions.get(key);
    }

    @Override
    public String toString() {
        return "FetchSession(id=" + id + ", privileged=" + privileged + ", usesTopicIds=" + usesTopicIds + ")";
    }
}
