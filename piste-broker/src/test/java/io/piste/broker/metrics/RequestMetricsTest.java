package io.piste.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

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

        metrics.onAnswered(ApiKeys.PRODUCE, response, 1_000);
        metrics.onAnswered(ApiKeys.PRODUCE, null, 1_000); // acks=0

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
        metrics.onAnswered(ApiKeys.FETCH, response, 1);
        metrics.onAnswered(
                ApiKeys.FETCH, new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()), 1);

        assertThat(metrics.of(ApiKeys.FETCH).errors(Errors.OFFSET_OUT_OF_RANGE)).isEqualTo(1);
        assertThat(metrics.of(ApiKeys.FETCH).errors(Errors.FETCH_SESSION_ID_NOT_FOUND))
                .isEqualTo(1);
    }

    @Test
    void shouldCountTheTopLevelErrorOfOtherApis() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.onAnswered(
                ApiKeys.HEARTBEAT, new HeartbeatResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()), 1);
        metrics.onAnswered(ApiKeys.HEARTBEAT, new HeartbeatResponseData(), 1);
        metrics.onAnswered(
                ApiKeys.HEARTBEAT, new HeartbeatResponseData().setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code()), 1);

        assertThat(metrics.of(ApiKeys.HEARTBEAT).requests()).isEqualTo(3);
        assertThat(metrics.of(ApiKeys.HEARTBEAT).errors(Errors.REBALANCE_IN_PROGRESS))
                .isEqualTo(1);
        assertThat(metrics.of(ApiKeys.HEARTBEAT).errors(Errors.UNKNOWN_SERVER_ERROR))
                .isEqualTo(1);
    }
}
