package io.piste.broker.fetchsession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;

/**
 * A full fetch with epoch 0: every requested partition is read and answered, and a new session is created when the
 * response is made (so a delayed fetch creates it when it completes), if the cache has or can make room. The response
 * carries the new id, or 0 when there was no room.
 */
final class FullFetchContext implements FetchContext {

    private final FetchSessionCache cache;
    private final LongSupplier clockMs;
    private final List<FetchTopic> topics;
    private final List<PartitionFetch> partitions;
    private final boolean usesTopicIds;
    private final boolean privileged;

    FullFetchContext(
            FetchSessionCache cache,
            LongSupplier clockMs,
            List<FetchTopic> topics,
            List<PartitionFetch> partitions,
            boolean usesTopicIds,
            boolean privileged) {
        this.cache = cache;
        this.clockMs = clockMs;
        this.topics = topics;
        this.partitions = partitions;
        this.usesTopicIds = usesTopicIds;
        this.privileged = privileged;
    }

    @Override
    public List<PartitionFetch> partitions() {
        return partitions;
    }

    @Override
    public FetchResponseData updateAndGenerateResponse(FetchResponseData read) {
        int id = cache.maybeCreateSession(
                clockMs.getAsLong(), privileged, partitions.size(), usesTopicIds, () -> cachedPartitions(read));
        return read.setSessionId(id);
    }

    /** The session's partitions: each request's parameters and what this response reports for it. */
    private LinkedHashMap<SessionPartitionKey, CachedPartition> cachedPartitions(FetchResponseData read) {
        LinkedHashMap<SessionPartitionKey, CachedPartition> cached = new LinkedHashMap<>();
        int topicIndex = 0;
        int partitionIndex = 0;
        List<FetchableTopicResponse> responses = read.responses();
        for (FetchTopic topic : topics) {
            for (FetchPartition request : topic.partitions()) {
                SessionPartitionKey key =
                        SessionPartitionKey.of(usesTopicIds, topic.topicId(), topic.topic(), request.partition());
                CachedPartition partition = new CachedPartition(key, topic.topicId(), key.topic(), request);
                while (topicIndex < responses.size()
                        && partitionIndex
                                >= responses.get(topicIndex).partitions().size()) {
                    topicIndex++;
                    partitionIndex = 0;
                }
                if (topicIndex < responses.size()) {
                    PartitionData data = responses.get(topicIndex).partitions().get(partitionIndex++);
                    partition.maybeUpdateResponseData(data, true);
                }
                // A partition listed twice keeps its last parameters, as when a map is built from the request.
                cached.put(key, partition);
            }
        }
        return cached;
    }
}
