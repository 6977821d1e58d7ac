package io.piste.broker.handler;

import static io.piste.broker.partition.TestPartitions.appendAboveHighWatermark;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.Partition;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ListOffsets on a real partition holding records at T, T+30 (max), T+20, and above its high watermark one at T+50:
 * each special timestamp, a search by timestamp, and the errors.
 */
class ListOffsetsHandlerTest extends OnePartitionHandlerTest {

    private static final short VERSION = 9;
    private static final long T = System.currentTimeMillis() - 60_000;

    @BeforeEach
    void open() throws IOException {
        append(T, T + 30);
        append(T + 20);
        appendAboveHighWatermark(partition, records(T + 50));
        assertThat(partition.highWatermark()).isEqualTo(3);
        assertThat(partition.logEndOffset()).isEqualTo(4);
    }

    private static MemoryRecords records(long... timestamps) {
        SimpleRecord[] records = new SimpleRecord[timestamps.length];
        for (int i = 0; i < timestamps.length; i++) {
            records[i] = new SimpleRecord(timestamps[i], new byte[1], new byte[1]);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private void append(long... timestamps) throws IOException {
        partition.appendRecordsToLeader(records(timestamps).buffer());
    }

    private ListOffsetsPartitionResponse list(
            short version, String topic, int index, long timestamp, IsolationLevel isolation, int currentLeaderEpoch) {
        ListOffsetsRequestData request = new ListOffsetsRequestData()
                .setReplicaId(-1)
                .setIsolationLevel(isolation.id())
                .setTopics(List.of(new ListOffsetsTopic()
                        .setName(topic)
                        .setPartitions(List.of(new ListOffsetsPartition()
                                .setPartitionIndex(index)
                                .setTimestamp(timestamp)
                                .setCurrentLeaderEpoch(currentLeaderEpoch)))));
        RecordedRequest recorded = new RecordedRequest(ApiKeys.LIST_OFFSETS, version, request, null);
        new ListOffsetsHandler(lookup).handle(recorded.context());
        ListOffsetsResponseData response = recorded.answerNow();
        // As the connection would: a field the version lacks must have been left at its default.
        assertThat(MessageUtil.toByteBufferAccessor(response, version).buffer().remaining())
                .isPositive();
        return response.topics().get(0).partitions().get(0);
    }

    private ListOffsetsPartitionResponse list(long timestamp) {
        return list(VERSION, "t", 0, timestamp, IsolationLevel.READ_UNCOMMITTED, -1);
    }

    private static void assertFound(ListOffsetsPartitionResponse answer, long offset, long timestamp) {
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
        assertThat(answer.offset()).as("offset").isEqualTo(offset);
        assertThat(answer.timestamp()).as("timestamp").isEqualTo(timestamp);
    }

    @Test
    void shouldAnswerTheEarliestAndLatestOffsetsAsConsumersSeeThem() {
        assertFound(list(ListOffsetsRequest.EARLIEST_TIMESTAMP), 0, -1);
        assertFound(list(ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP), 0, -1);
        assertFound(list(ListOffsetsRequest.LATEST_TIMESTAMP), 3, -1);
        assertFound(
                list(VERSION, "t", 0, ListOffsetsRequest.LATEST_TIMESTAMP, IsolationLevel.READ_COMMITTED, -1), 3, -1);
        assertThat(list(ListOffsetsRequest.LATEST_TIMESTAMP).leaderEpoch()).isEqualTo(partition.leaderEpoch());
    }

    @Test
    void shouldFindTheFirstRecordAtOrAfterATimestampBelowTheHighWatermark() {
        assertFound(list(T - 1), 0, T);
        assertFound(list(T + 1), 1, T + 30);
        assertFound(list(T + 20), 1, T + 30);
        assertFound(list(T + 31), -1, -1);
        assertThat(list(T + 31).leaderEpoch()).as("no epoch without an offset").isEqualTo(-1);
    }

    @Test
    void shouldFindTheRecordWithTheMaxTimestampBelowTheHighWatermarkOnly() throws IOException {
        assertFound(list(ListOffsetsRequest.MAX_TIMESTAMP), -1, -1);

        append(T + 60);

        assertFound(list(ListOffsetsRequest.MAX_TIMESTAMP), 4, T + 60);
    }

    @Test
    void shouldAnswerMinusOneForTieredOffsetsAndRefuseOtherNegativeTimestamps() {
        assertFound(list(ListOffsetsRequest.LATEST_TIERED_TIMESTAMP), -1, -1);
        assertFound(list(ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP), -1, -1);
        assertThat(Errors.forCode(list(-99).errorCode())).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void shouldLeaveTheLeaderEpochOutBeforeVersionFour() {
        ListOffsetsPartitionResponse answer =
                list((short) 3, "t", 0, ListOffsetsRequest.LATEST_TIMESTAMP, IsolationLevel.READ_UNCOMMITTED, -1);

        assertFound(answer, 3, -1);
        assertThat(answer.leaderEpoch()).isEqualTo(-1);
    }

    @Test
    void shouldAnswerUnknownTopicsPartitionsAndEpochs() {
        assertThat(Errors.forCode(list(VERSION, "nope", 0, -1, IsolationLevel.READ_UNCOMMITTED, -1)
                        .errorCode()))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(Errors.forCode(list(VERSION, "t", 1, -1, IsolationLevel.READ_UNCOMMITTED, -1)
                        .errorCode()))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        ListOffsetsPartitionResponse newerEpoch =
                list(VERSION, "t", 0, -1, IsolationLevel.READ_UNCOMMITTED, partition.leaderEpoch() + 1);
        assertThat(Errors.forCode(newerEpoch.errorCode())).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
        assertThat(newerEpoch.offset()).isEqualTo(-1);
    }

    @Test
    void shouldAnswerKafkaStorageErrorForAnOfflinePartition() throws Exception {
        Partition offline = partitions.openOffline("u", 0);
        lookup.add(Uuid.randomUuid(), offline);

        for (long timestamp : new long[] {
            ListOffsetsRequest.EARLIEST_TIMESTAMP,
            ListOffsetsRequest.LATEST_TIMESTAMP,
            ListOffsetsRequest.MAX_TIMESTAMP,
            0
        }) {
            ListOffsetsPartitionResponse answer = list(VERSION, "u", 0, timestamp, IsolationLevel.READ_UNCOMMITTED, -1);
            assertThat(Errors.forCode(answer.errorCode()))
                    .as("timestamp " + timestamp)
                    .isEqualTo(Errors.KAFKA_STORAGE_ERROR);
            assertThat(answer.offset()).isEqualTo(-1);
        }
    }
}
