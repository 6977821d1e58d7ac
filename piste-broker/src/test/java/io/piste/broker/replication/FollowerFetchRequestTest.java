package io.piste.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchRequest;
import org.junit.jupiter.api.Test;

/** A follower's fetch tells each partition's known high watermark from Fetch v18 on, and nothing before. */
class FollowerFetchRequestTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    private static FollowerFetchRequest request() {
        Map<TopicPartition, FetchRequest.PartitionData> partitions = new LinkedHashMap<>();
        for (int p = 0; p < 2; p++) {
            partitions.put(
                    new TopicPartition("t", p),
                    new FetchRequest.PartitionData(TOPIC_ID, 10, 0, 1 << 20, Optional.of(3), Optional.of(3)));
        }
        FetchRequest.Builder fetch =
                FetchRequest.Builder.forReplica(ApiKeys.FETCH.latestVersion(), 2, 1, 500, 1, partitions);
        return new FollowerFetchRequest(
                fetch, Map.of(new TopicPartition("t", 0), 7L, new TopicPartition("t", 1), -1L), Map.of(TOPIC_ID, "t"));
    }

    @Test
    void shouldTellTheKnownHighWatermarkOfEachPartitionFromVersion18() {
        FetchRequest built = request().build(FollowerFetchRequest.HIGH_WATERMARK_VERSION);

        assertThat(built.data().topics()).hasSize(1);
        assertThat(built.data().topics().get(0).partitions())
                .extracting(FetchPartition::partition, FetchPartition::highWatermark)
                .containsExactly(tuple(0, 7L), tuple(1, -1L));
    }

    @Test
    void shouldTellNothingBeforeVersion18() {
        FetchRequest built = request().build((short) (FollowerFetchRequest.HIGH_WATERMARK_VERSION - 1));

        assertThat(built.data().topics().get(0).partitions())
                .extracting(FetchPartition::highWatermark)
                .containsOnly(Long.MAX_VALUE);
    }

    @Test
    void shouldNegotiateAsKafkasBuilderDoes() {
        FollowerFetchRequest request = request();

        assertThat(request.apiKey()).isEqualTo(ApiKeys.FETCH);
        assertThat(request.latestAllowedVersion()).isEqualTo(ApiKeys.FETCH.latestVersion());
        assertThat(ApiKeys.FETCH.latestVersion(false))
                .as("the brokers offer the version that carries it")
                .isGreaterThanOrEqualTo(FollowerFetchRequest.HIGH_WATERMARK_VERSION);
    }
}
