package io.piste.broker.fetchsession;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * Decides what a fetch request means for sessions (Kafka's {@code FetchManager}), by its session id and epoch:
 * <ul>
 * <li>fetch before v7, or id 0 with epoch -1: session-less;</li>
 * <li>epoch 0 (full): any session named by the id is closed, and a new one is created if there is room;</li>
 * <li>id N with epoch -1 (full): session N is closed, and the partitions listed are answered session-less;</li>
 * <li>any other epoch (incremental): session N is applied the request if its expected epoch is the one sent,
 *     else {@code FETCH_SESSION_ID_NOT_FOUND} or {@code INVALID_FETCH_SESSION_EPOCH}; a session of fetch v13+ used
 *     by an older fetch, or the other way round, is {@code FETCH_SESSION_TOPIC_ID_ERROR}. A request that forgets
 *     every partition closes its session and is answered session-less.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class FetchSessions {

    /** The first fetch version with sessions. */
    static final short MIN_SESSION_VERSION = 7;
    /** The first fetch version that names topics by id. */
    static final short MIN_TOPIC_ID_VERSION = 13;

    private final FetchSessionCache cache;
    private final LongSupplier clockMs;

    public FetchSessions(FetchSessionCache cache, LongSupplier clockMs) {
        this.cache = cache;
        this.clockMs = clockMs;
    }

    public FetchSessionCache cache() {
        return cache;
    }

    /**
     * @param follower true for a replica's fetch: its sessions are privileged in the cache
     */
    public FetchContext newContext(FetchRequestData request, short version, boolean follower) {
        if (version < MIN_SESSION_VERSION) {
            return new SessionlessFetchContext(requested(request.topics()));
        }
        FetchMetadata metadata = new FetchMetadata(request.sessionId(), request.sessionEpoch());
        if (metadata.isFull()) {
            if (metadata.sessionId() != FetchMetadata.INVALID_SESSION_ID) {
                cache.remove(metadata.sessionId());
            }
            if (metadata.epoch() == FetchMetadata.FINAL_EPOCH) {
                return new SessionlessFetchContext(requested(request.topics()));
            }
            return new FullFetchContext(
                    cache,
                    clockMs,
                    request.topics(),
                    requested(request.topics()),
                    version >= MIN_TOPIC_ID_VERSION,
                    follower);
        }
        return incremental(request, metadata, version >= MIN_TOPIC_ID_VERSION);
    }

    private FetchContext incremental(FetchRequestData request, FetchMetadata metadata, boolean usesTopicIds) {
        synchronized (cache) {
            FetchSession session = cache.get(metadata.sessionId());
            if (session == null) {
                return new SessionErrorFetchContext(Errors.FETCH_SESSION_ID_NOT_FOUND);
            }
            synchronized (session) {
                if (session.epoch() != metadata.epoch()) {
                    return new SessionErrorFetchContext(Errors.INVALID_FETCH_SESSION_EPOCH);
                }
                if (session.usesTopicIds() != usesTopicIds) {
                    return new SessionErrorFetchContext(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
                }
                session.update(request.topics(), request.forgottenTopicsData());
                if (session.isEmpty()) {
                    cache.remove(session);
                    return new SessionlessFetchContext(requested(request.topics()));
                }
                cache.touch(session, clockMs.getAsLong());
                session.advanceEpoch();
                List<CachedPartition> cached = session.partitionsInOrder();
                List<PartitionFetch> partitions = new ArrayList<>(cached.size());
                for (CachedPartition partition : cached) {
                    partitions.add(partition.toFetch());
                }
                return new IncrementalFetchContext(session, session.epoch(), cached, partitions);
            }
        }
    }

    private static List<PartitionFetch> requested(List<FetchTopic> topics) {
        List<PartitionFetch> partitions = new ArrayList<>();
        for (FetchTopic topic : topics) {
            for (FetchPartition p : topic.partitions()) {
                partitions.add(new PartitionFetch(
                        topic.topicId(),
                        topic.topic(),
                        p.partition(),
                        p.fetchOffset(),
                        p.partitionMaxBytes(),
                        p.currentLeaderEpoch(),
                        p.lastFetchedEpoch(),
                        p.highWatermark(),
                        p.logStartOffset()));
            }
        }
        return partitions;
    }
}
