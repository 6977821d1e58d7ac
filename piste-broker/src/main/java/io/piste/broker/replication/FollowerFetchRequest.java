package io.piste.broker.replication;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * A follower's Fetch as Kafka's {@link FetchRequest.Builder} makes it, plus, from version 18 on (KIP-1166), the high
 * watermark the follower knows of each partition: a leader whose own is ahead answers at once instead of parking the
 * fetch for {@code replica.fetch.wait.max.ms}, so followers know the high watermark within a round trip. That matters
 * when a follower is elected: it leads from the high watermark it knows, and under {@code min.insync.replicas} it
 * cannot move it (KIP-966), so what it learned late stays unreadable until the ISR grows back.
 */
final class FollowerFetchRequest extends AbstractRequest.Builder<FetchRequest> {

    /** The first Fetch version with the follower's high watermark. */
    static final short HIGH_WATERMARK_VERSION = 18;

    private final FetchRequest.Builder fetch;
    private final Map<TopicPartition, Long> knownHighWatermarks;
    private final Map<Uuid, String> topicNames;

    /**
     * @param knownHighWatermarks each fetched partition's high watermark on this follower
     * @param topicNames the names of the fetched topics by id (a v13+ request names topics only by id)
     */
    FollowerFetchRequest(
            FetchRequest.Builder fetch, Map<TopicPartition, Long> knownHighWatermarks, Map<Uuid, String> topicNames) {
        super(ApiKeys.FETCH, fetch.oldestAllowedVersion(), fetch.latestAllowedVersion());
        this.fetch = fetch;
        this.knownHighWatermarks = knownHighWatermarks;
        this.topicNames = topicNames;
    }

    @Override
    public FetchRequest build(short version) {
        FetchRequest request = fetch.build(version);
        if (version < HIGH_WATERMARK_VERSION) {
            return request;
        }
        for (FetchTopic topic : request.data().topics()) {
            String name =
                    topic.topic() == null || topic.topic().isEmpty() ? topicNames.get(topic.topicId()) : topic.topic();
            for (FetchPartition partition : topic.partitions()) {
                Long known = knownHighWatermarks.get(new TopicPartition(String.valueOf(name), partition.partition()));
                if (known != null) {
                    partition.setHighWatermark(known);
                }
            }
        }
        return request;
    }

    @Override
    public String toString() {
        return fetch.toString();
    }
}
