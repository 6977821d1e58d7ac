package io.piste.broker.handler;

import static io.piste.broker.handler.RecordedRequest.records;
import static io.piste.broker.partition.TestPartitions.appendAboveHighWatermark;
import static io.piste.broker.partition.TestPartitions.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.piste.broker.fetchsession.FetchSessionCache;
import io.piste.broker.fetchsession.FetchSessions;
import io.piste.broker.partition.Partition;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fetch from real partitions over real logs: how partitions named by topic name or id resolve, what is answered at
 * once and what waits for data, with the purgatory's bound, on an embedded event loop.
 */
class FetchHandlerTest extends OnePartitionHandlerTest {

    private static final short BY_NAME = 12;
    private static final short BY_ID = 13;
    private static final int MAX_WAIT_MS = 500;

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final FetchSessions sessions =
            new FetchSessions(new FetchSessionCache(10, 60_000, new Random(1)), System::currentTimeMillis);

    @AfterEach
    void closeLoop() {
        loop.finishAndReleaseAll();
    }

    private static FetchRequestData fetch(short version, String topic, int partition, long fetchOffset, int minBytes) {
        FetchTopic fetchTopic = new FetchTopic()
                .setPartitions(List.of(new FetchPartition()
                        .setPartition(partition)
                        .setFetchOffset(fetchOffset)
                        .setPartitionMaxBytes(1 << 20)));
        if (version >= BY_ID) {
            fetchTopic.setTopicId(topic.equals("t") ? TOPIC_ID : Uuid.randomUuid());
        } else {
            fetchTopic.setTopic(topic);
        }
        return new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(MAX_WAIT_MS)
                .setMinBytes(minBytes)
                .setMaxBytes(1 << 20)
                .setSessionEpoch(-1)
                .setTopics(List.of(fetchTopic));
    }

    private RecordedRequest handle(short version, FetchRequestData request, FetchPurgatory purgatory) {
        RecordedRequest recorded = new RecordedRequest(ApiKeys.FETCH, version, request, loop.eventLoop());
        new FetchHandler(lookup, sessions, purgatory).handle(recorded.context());
        return recorded;
    }

    private RecordedRequest handle(short version, FetchRequestData request) {
        return handle(version, request, new FetchPurgatory(10, 10));
    }

    private static PartitionData only(FetchResponseData response) {
        assertThat(response.responses()).hasSize(1);
        assertThat(response.responses().get(0).partitions()).hasSize(1);
        return response.responses().get(0).partitions().get(0);
    }

    private static long append(Partition partition, String value) throws IOException {
        return partition.appendRecordsToLeader(batch(value).buffer()).lastOffset() + 1;
    }

    private static long firstOffset(PartitionData data) throws IOException {
        RecordBatch first = records(data.records()).batches().iterator().next();
        return first.baseOffset();
    }

    @Test
    void shouldAnswerAtOnceWithTheRecordsOfATopicNamedByNameOrById() throws Exception {
        append(partition, "a");
        append(partition, "b");

        FetchResponseData byName = handle(BY_NAME, fetch(BY_NAME, "t", 0, 1, 1)).answerNow();
        FetchResponseData byId = handle(BY_ID, fetch(BY_ID, "t", 0, 1, 1)).answerNow();

        for (FetchResponseData response : List.of(byName, byId)) {
            PartitionData data = only(response);
            assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
            assertThat(firstOffset(data)).isEqualTo(1);
            assertThat(records(data.records()).batches()).hasSize(1);
            assertThat(data.highWatermark()).isEqualTo(2);
        }
        assertThat(byName.responses().get(0).topic()).isEqualTo("t");
        assertThat(byId.responses().get(0).topicId()).isEqualTo(TOPIC_ID);
    }

    @Test
    void shouldAnswerUnknownTopicsPartitionsAndEpochsAtOnce() {
        FetchRequestData unknownEpoch = fetch(BY_NAME, "t", 0, 0, 1);
        unknownEpoch.topics().get(0).partitions().get(0).setCurrentLeaderEpoch(partition.leaderEpoch() + 1);

        assertThat(only(handle(BY_NAME, fetch(BY_NAME, "nope", 0, 0, 1)).answerNow())
                        .errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(only(handle(BY_ID, fetch(BY_ID, "nope", 0, 0, 1)).answerNow())
                        .errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
        assertThat(only(handle(BY_ID, fetch(BY_ID, "t", 9, 0, 1)).answerNow()).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(only(handle(BY_NAME, unknownEpoch).answerNow()).errorCode())
                .isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
    }

    @Test
    void shouldNotReadPastTheHighWatermarkWhateverTheIsolationLevel() throws Exception {
        append(partition, "a");
        appendAboveHighWatermark(partition, batch("not yet visible"));

        for (IsolationLevel isolation : IsolationLevel.values()) {
            FetchRequestData request = fetch(BY_NAME, "t", 0, 0, 1).setIsolationLevel(isolation.id());
            PartitionData data = only(handle(BY_NAME, request).answerNow());

            assertThat(records(data.records()).batches())
                    .as(isolation.toString())
                    .hasSize(1);
            assertThat(firstOffset(data)).isZero();
            assertThat(data.highWatermark()).isEqualTo(1);
            assertThat(data.lastStableOffset()).isEqualTo(1);
        }
    }

    @Test
    void shouldWaitForDataThenAnswerWithIt() throws Exception {
        FetchPurgatory purgatory = new FetchPurgatory(10, 10);
        loop.freezeTime();
        RecordedRequest parked = handle(BY_NAME, fetch(BY_NAME, "t", 0, 0, 1), purgatory);
        assertThat(parked.answerCount()).isZero();
        assertThat(purgatory.parkedCount()).isEqualTo(1);

        append(partition, "a");
        loop.runPendingTasks();

        PartitionData data = only(parked.answerNow());
        assertThat(firstOffset(data)).isZero();
        assertThat(purgatory.parkedCount()).isZero();
        assertThat(partition.dataWaiters().count()).isZero();
    }

    @Test
    void shouldAnswerEmptyAtMaxWait() {
        FetchPurgatory purgatory = new FetchPurgatory(10, 10);
        loop.freezeTime();
        RecordedRequest parked = handle(BY_NAME, fetch(BY_NAME, "t", 0, 0, 1), purgatory);

        loop.advanceTimeBy(MAX_WAIT_MS, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();

        PartitionData data = only(parked.answerNow());
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
        assertThat(data.records().sizeInBytes()).isZero();
        assertThat(purgatory.parkedCount()).isZero();
    }

    @Test
    void shouldAnswerAtOnceAndMuteTheConnectionWhenThePurgatoryIsFull() {
        RecordedRequest refused = handle(BY_NAME, fetch(BY_NAME, "t", 0, 0, 1), new FetchPurgatory(0, 10));

        FetchResponseData response = refused.answerNow();
        assertThat(response.throttleTimeMs()).isEqualTo(MAX_WAIT_MS);
        assertThat(only(response).records().sizeInBytes()).isZero();
        assertThat(refused.mutedForMs()).isEqualTo(MAX_WAIT_MS);
        assertThat(partition.dataWaiters().count()).isZero();
    }

    @Test
    void shouldAnswerKafkaStorageErrorAtOnceForAnOfflinePartition() throws Exception {
        Partition offline = partitions.openOffline("u", 0);
        Uuid offlineId = Uuid.randomUuid();
        lookup.add(offlineId, offline);
        FetchPurgatory purgatory = new FetchPurgatory(10, 10);

        RecordedRequest recorded = handle(BY_NAME, fetch(BY_NAME, "u", 0, 0, 1), purgatory);

        PartitionData data = only(recorded.answerNow());
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(data.records().sizeInBytes()).isZero();
        assertThat(data.highWatermark()).isEqualTo(-1);
        assertThat(purgatory.parkedCount())
                .as("an error is not worth waiting for")
                .isZero();
    }
}
