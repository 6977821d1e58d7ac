package io.piste.broker.handler;

import static io.piste.broker.partition.TestPartitions.appendAboveHighWatermark;
import static io.piste.broker.partition.TestPartitions.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.Partition;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** OffsetsForLeaderEpoch on real partitions: the end of the epoch asked for, and the errors. */
class OffsetForLeaderEpochHandlerTest extends OnePartitionHandlerTest {

    private static final short VERSION = 4;

    private EpochEndOffset endOffset(String topic, int index, int leaderEpoch, int currentLeaderEpoch) {
        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        topics.add(new OffsetForLeaderTopic()
                .setTopic(topic)
                .setPartitions(List.of(new OffsetForLeaderPartition()
                        .setPartition(index)
                        .setLeaderEpoch(leaderEpoch)
                        .setCurrentLeaderEpoch(currentLeaderEpoch))));
        OffsetForLeaderEpochRequestData request =
                new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(topics);
        RecordedRequest recorded = new RecordedRequest(ApiKeys.OFFSET_FOR_LEADER_EPOCH, VERSION, request, null);
        new OffsetForLeaderEpochHandler(lookup).handle(recorded.context());
        OffsetForLeaderEpochResponseData response = recorded.answerNow();
        return response.topics().iterator().next().partitions().get(0);
    }

    private EpochEndOffset endOffset(int leaderEpoch) {
        return endOffset("t", 0, leaderEpoch, -1);
    }

    private static void assertEnd(EpochEndOffset answer, int leaderEpoch, long endOffset) {
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
        assertThat(answer.leaderEpoch()).as("leader epoch").isEqualTo(leaderEpoch);
        assertThat(answer.endOffset()).as("end offset").isEqualTo(endOffset);
    }

    @Test
    void shouldEndTheCurrentEpochAtTheLogEndBeforeAnyAppend() {
        assertEnd(endOffset(partition.leaderEpoch()), partition.leaderEpoch(), 0);
    }

    @Test
    void shouldEndTheCurrentEpochAtTheLogEndAsKafkaDoes() throws IOException {
        partition.appendRecordsToLeader(batch("a").buffer());
        appendAboveHighWatermark(partition, batch("b"));

        assertEnd(endOffset(partition.leaderEpoch()), partition.leaderEpoch(), 2);
        assertEnd(endOffset(partition.leaderEpoch() + 5), partition.leaderEpoch(), 2);
    }

    @Test
    void shouldNotKnowAnEpochOlderThanEveryOneAppended() throws IOException {
        partition.appendRecordsToLeader(batch("a").buffer());

        assertEnd(endOffset(partition.leaderEpoch() - 1), -1, -1);
    }

    @Test
    void shouldAnswerUnknownTopicsPartitionsAndEpochs() {
        assertThat(Errors.forCode(endOffset("nope", 0, 0, -1).errorCode()))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(Errors.forCode(endOffset("t", 1, 0, -1).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        EpochEndOffset newer = endOffset("t", 0, 0, partition.leaderEpoch() + 1);
        assertThat(Errors.forCode(newer.errorCode())).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
        assertThat(newer.endOffset()).isEqualTo(-1);
    }

    @Test
    void shouldAnswerKafkaStorageErrorForAnOfflinePartition() throws Exception {
        Partition offline = partitions.openOffline("u", 0);
        lookup.add(Uuid.randomUuid(), offline);

        EpochEndOffset answer = endOffset("u", 0, offline.leaderEpoch(), -1);

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(answer.endOffset()).isEqualTo(-1);
        assertThat(answer.leaderEpoch()).isEqualTo(-1);
    }
}
