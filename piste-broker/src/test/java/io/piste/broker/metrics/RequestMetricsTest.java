package io.piste.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {
    private static final short V = 4;

    @Test
    void shouldCountEachProducePartitionError() {
        RequestMetrics metrics = new RequestMetrics();
        ProduceResponseData response = new ProduceResponseData();
        ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse().setName("t");
        topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(0));
        topic.partitionResponses()
                .add(new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(1)
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()));
        topic.partitionResponses()
                .add(new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(2)
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()));
        response.responses().add(topic);

        metrics.onAnswered(ApiKeys.PRODUCE, V, response, 1_000);
        metrics.onAnswered(ApiKeys.PRODUCE, V, null, 1_000); // acks=0

        RequestMetrics.ApiMeters produce = metrics.of(ApiKeys.PRODUCE);
        assertThat(produce.requests()).isEqualTo(2);
        assertThat(produce.errors(Errors.NOT_LEADER_OR_FOLLOWER)).isEqualTo(2);
        assertThat(produce.errors(Errors.NONE)).isZero();
        assertThat(produce.totalTime().count()).isEqualTo(2);
        assertThat(metrics.of(ApiKeys.FETCH)).isNull();
    }

    @Test
    void shouldCountFetchTopLevelAndPartitionErrors() {
        RequestMetrics metrics = new RequestMetrics();
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code());
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse();
        topic.partitions().add(new FetchResponseData.PartitionData().setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code()));
        response.responses().add(topic);
        metrics.onAnswered(ApiKeys.FETCH, V, response, 1);
        metrics.onAnswered(
                ApiKeys.FETCH, V, new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()), 1);

        assertThat(metrics.of(ApiKeys.FETCH).errors(Errors.OFFSET_OUT_OF_RANGE)).isEqualTo(1);
        assertThat(metrics.of(ApiKeys.FETCH).errors(Errors.FETCH_SESSION_ID_NOT_FOUND))
                .isEqualTo(1);
    }

    @Test
    void shouldCountTheTopLevelErrorOfOtherApis() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.onAnswered(
                ApiKeys.HEARTBEAT, V, new HeartbeatResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()), 1);
        metrics.onAnswered(ApiKeys.HEARTBEAT, V, new HeartbeatResponseData(), 1);
        metrics.onAnswered(
                ApiKeys.HEARTBEAT, V, new HeartbeatResponseData().setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code()), 1);

        assertThat(metrics.of(ApiKeys.HEARTBEAT).requests()).isEqualTo(3);
        assertThat(metrics.of(ApiKeys.HEARTBEAT).errors(Errors.REBALANCE_IN_PROGRESS))
                .isEqualTo(1);
        assertThat(metrics.of(ApiKeys.HEARTBEAT).errors(Errors.UNKNOWN_SERVER_ERROR))
                .isEqualTo(1);
    }

    @Test
    void shouldCountEveryItemErrorOfABatchedAdminAnswer() {
        RequestMetrics metrics = new RequestMetrics();
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        response.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName("a"));
        response.topics()
                .add(new CreateTopicsResponseData.CreatableTopicResult()
                        .setName("b")
                        .setErrorCode(Errors.TOPIC_ALREADY_EXISTS.code()));
        response.topics()
                .add(new CreateTopicsResponseData.CreatableTopicResult()
                        .setName("c")
                        .setErrorCode(Errors.TOPIC_ALREADY_EXISTS.code()));
        response.topics()
                .add(new CreateTopicsResponseData.CreatableTopicResult()
                        .setName("d")
                        .setErrorCode(Errors.INVALID_REPLICATION_FACTOR.code()));
        metrics.onAnswered(ApiKeys.CREATE_TOPICS, V, response, 1);

        RequestMetrics.ApiMeters createTopics = metrics.of(ApiKeys.CREATE_TOPICS);
        assertThat(createTopics.errors(Errors.TOPIC_ALREADY_EXISTS)).isEqualTo(2);
        assertThat(createTopics.errors(Errors.INVALID_REPLICATION_FACTOR)).isEqualTo(1);
    }

    @Test
    void shouldCountErrorsNestedTwoLevelsDownAndIgnoreOtherShortFields() {
        RequestMetrics metrics = new RequestMetrics();
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        OffsetCommitResponseData.OffsetCommitResponseTopic topic =
                new OffsetCommitResponseData.OffsetCommitResponseTopic().setName("t");
        topic.partitions()
                .add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(0)
                        .setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code()));
        topic.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(1));
        response.topics().add(topic);
        metrics.onAnswered(ApiKeys.OFFSET_COMMIT, V, response, 1);
        // a CreateTopics result's topicConfigErrorCode is a short but not its error code
        CreateTopicsResponseData created = new CreateTopicsResponseData();
        created.topics()
                .add(new CreateTopicsResponseData.CreatableTopicResult()
                        .setName("a")
                        .setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        metrics.onAnswered(ApiKeys.CREATE_TOPICS, V, created, 1);

        assertThat(metrics.of(ApiKeys.OFFSET_COMMIT).errors(Errors.OFFSET_METADATA_TOO_LARGE))
                .isEqualTo(1);
        assertThat(metrics.of(ApiKeys.CREATE_TOPICS).errors(Errors.TOPIC_AUTHORIZATION_FAILED))
                .isZero();
    }

    @Test
    void shouldCountRequestsPerVersionAndTellTheListenerOfEachNewCounterOnce() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.onAnswered(ApiKeys.HEARTBEAT, (short) 3, new HeartbeatResponseData(), 1);
        List<String> told = new CopyOnWriteArrayList<>();
        Map<String, LongSupplier> counts = new ConcurrentHashMap<>();
        metrics.setListener(new RequestMetrics.Listener() {
            @Override
            public void versionAdded(ApiKeys apiKey, short version, LongSupplier count) {
                told.add(apiKey.name + " v" + version);
                counts.put(apiKey.name + " v" + version, count);
            }

            @Override
            public void errorAdded(ApiKeys apiKey, Errors error, LongSupplier count) {
                told.add(apiKey.name + " " + error.name());
                counts.put(apiKey.name + " " + error.name(), count);
            }
        });
        metrics.onAnswered(ApiKeys.HEARTBEAT, (short) 3, new HeartbeatResponseData(), 1);
        metrics.onAnswered(ApiKeys.HEARTBEAT, (short) 4, new HeartbeatResponseData(), 1);
        metrics.onAnswered(
                ApiKeys.HEARTBEAT,
                (short) 4,
                new HeartbeatResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()),
                1);
        metrics.onAnswered(
                ApiKeys.HEARTBEAT,
                (short) 4,
                new HeartbeatResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()),
                1);

        RequestMetrics.ApiMeters heartbeat = metrics.of(ApiKeys.HEARTBEAT);
        assertThat(heartbeat.versions()).containsExactly((short) 3, (short) 4);
        assertThat(heartbeat.requests((short) 3)).isEqualTo(2);
        assertThat(heartbeat.requests((short) 4)).isEqualTo(3);
        assertThat(heartbeat.requests()).isEqualTo(5);
        assertThat(told).containsExactly("Heartbeat v3", "Heartbeat v4", "Heartbeat REBALANCE_IN_PROGRESS");
        assertThat(counts.get("Heartbeat v4").getAsLong()).isEqualTo(3);
        assertThat(counts.get("Heartbeat REBALANCE_IN_PROGRESS").getAsLong()).isEqualTo(2);
    }
}
