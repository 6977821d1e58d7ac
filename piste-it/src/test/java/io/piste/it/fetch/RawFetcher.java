package io.piste.it.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.RawClient;
import io.piste.it.support.RawConnection;
import io.piste.it.support.RawConnection.Outcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Fetch requests over a {@link RawConnection}, encoded and decoded with the kafka-clients message classes, so that a
 * test chooses the session id, epoch and partition list a real client would compute.
 */
final class RawFetcher implements AutoCloseable {
    /** The newest stable fetch version: topics by id. */
    static final short LATEST = ApiKeys.FETCH.latestVersion(false);
    /** The last fetch version that names topics. */
    static final short BY_NAME = 12;

    private final RawConnection connection;
    private int correlationId;
    private int sentCorrelationId;
    private short sentVersion;

    RawFetcher(final int port) throws IOException {
        this.connection = RawConnection.open(port);
    }

    /** A request for {@code topic}: partitions given as partition, fetch offset pairs; none gives no topic entry. */
    static FetchRequestData request(
            final int sessionId,
            final int epoch,
            final String topic,
            final Uuid topicId,
            final long... partitionOffsetPairs) {
        final FetchRequestData request = new FetchRequestData()
                .setSessionId(sessionId)
                .setSessionEpoch(epoch)
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1024 * 1024);
        if (partitionOffsetPairs.length > 0) {
            final FetchTopic fetchTopic = new FetchTopic().setTopic(topic).setTopicId(topicId);
            for (int i = 0; i < partitionOffsetPairs.length; i += 2) {
                fetchTopic
                        .partitions()
                        .add(new FetchPartition()
                                .setPartition((int) partitionOffsetPairs[i])
                                .setFetchOffset(partitionOffsetPairs[i + 1])
                                .setPartitionMaxBytes(64 * 1024));
            }
            request.topics().add(fetchTopic);
        }
        return request;
    }

    static FetchRequestData forget(
            final FetchRequestData request, final String topic, final Uuid topicId, final int... partitions) {
        final ForgottenTopic forgotten = new ForgottenTopic().setTopic(topic).setTopicId(topicId);
        for (final int partition : partitions) {
            forgotten.partitions().add(partition);
        }
        request.forgottenTopicsData().add(forgotten);
        return request;
    }

    void send(final short version, final FetchRequestData request) {
        sentCorrelationId = ++correlationId;
        sentVersion = version;
        assertThat(connection.send(RawClient.frame(ApiKeys.FETCH, version, sentCorrelationId, request)))
                .as("request sent")
                .isTrue();
    }

    /** The outcome within {@code timeout}, without decoding: to check that a long poll is still waiting. */
    Outcome awaitRaw(final Duration timeout) {
        return connection.await(timeout);
    }

    FetchResponseData receive() {
        assertThat(connection.await(RawClient.ANSWER_TIMEOUT))
                .as("fetch answered")
                .isEqualTo(Outcome.RESPONSE);
        return decodeLast();
    }

    FetchResponseData decodeLast() {
        final ByteBuffer response = connection.lastResponse();
        final ResponseHeader header = ResponseHeader.parse(response, ApiKeys.FETCH.responseHeaderVersion(sentVersion));
        assertThat(header.correlationId()).isEqualTo(sentCorrelationId);
        return new FetchResponseData(new ByteBufferAccessor(response), sentVersion);
    }

    FetchResponseData fetch(final short version, final FetchRequestData request) {
        send(version, request);
        return receive();
    }

    /** The partitions a response carries, by index, over all its topics. */
    static Map<Integer, PartitionData> partitions(final FetchResponseData response) {
        final Map<Integer, PartitionData> partitions = new TreeMap<>();
        for (final FetchableTopicResponse topic : response.responses()) {
            for (final PartitionData data : topic.partitions()) {
                partitions.put(data.partitionIndex(), data);
            }
        }
        return partitions;
    }

    static int recordBytes(final PartitionData data) {
        return data.records() == null ? 0 : data.records().sizeInBytes();
    }

    @Override
    public void close() {
        connection.close();
    }
}
