package io.piste.broker.handler;

import static io.piste.broker.partition.TestPartitions.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.Partition;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequestCollection;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** DescribeProducers on real partitions: each producer's state as the log tracks it, and the errors. */
class DescribeProducersHandlerTest extends OnePartitionHandlerTest {

    private PartitionResponse describe(String topic, int index) {
        TopicRequestCollection topics = new TopicRequestCollection();
        topics.add(new TopicRequest().setName(topic).setPartitionIndexes(List.of(index)));
        DescribeProducersRequestData request = new DescribeProducersRequestData().setTopics(topics);
        RecordedRequest recorded = new RecordedRequest(
                ApiKeys.DESCRIBE_PRODUCERS, ApiKeys.DESCRIBE_PRODUCERS.latestVersion(), request, null);
        new DescribeProducersHandler(lookup).handle(recorded.context());
        DescribeProducersResponseData response = recorded.answerNow();
        assertThat(response.topics()).hasSize(1);
        assertThat(response.topics().get(0).name()).isEqualTo(topic);
        assertThat(response.topics().get(0).partitions()).hasSize(1);
        PartitionResponse answer = response.topics().get(0).partitions().get(0);
        assertThat(answer.partitionIndex()).isEqualTo(index);
        return answer;
    }

    private static MemoryRecords idempotent(long producerId, short epoch, int sequence, long timestamp, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(timestamp, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence, records);
    }

    private static MemoryRecords transactional(long producerId, short epoch, int sequence, long timestamp) {
        return MemoryRecords.withTransactionalRecords(
                Compression.NONE,
                producerId,
                epoch,
                sequence,
                new SimpleRecord(timestamp, "t".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldAnswerNoProducersForAPartitionWrittenWithoutProducerIds() throws Exception {
        partition.appendRecordsToLeader(batch("plain").buffer());

        PartitionResponse answer = describe("t", 0);

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
        assertThat(answer.activeProducers()).isEmpty();
    }

    @Test
    void shouldAnswerEachProducersEpochLastSequenceAndTimestamp() throws Exception {
        partition.appendRecordsToLeader(idempotent(7, (short) 2, 0, 1_000, 3).buffer());
        partition.appendRecordsToLeader(idempotent(7, (short) 2, 3, 2_000, 2).buffer());
        partition.appendRecordsToLeader(idempotent(9, (short) 0, 0, 5_000, 1).buffer());

        PartitionResponse answer = describe("t", 0);

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
        assertThat(answer.activeProducers())
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrder(
                        new ProducerState()
                                .setProducerId(7)
                                .setProducerEpoch(2)
                                .setLastSequence(4)
                                .setLastTimestamp(2_000)
                                .setCoordinatorEpoch(-1)
                                .setCurrentTxnStartOffset(-1),
                        new ProducerState()
                                .setProducerId(9)
                                .setProducerEpoch(0)
                                .setLastSequence(0)
                                .setLastTimestamp(5_000)
                                .setCoordinatorEpoch(-1)
                                .setCurrentTxnStartOffset(-1));
    }

    @Test
    void shouldAnswerTheOpenTransactionsFirstOffsetAndTheLastMarkersCoordinatorEpoch() throws Exception {
        partition.appendRecordsToLeader(batch("before").buffer()); // 0
        partition.appendRecordsToLeader(transactional(11, (short) 1, 0, 3_000).buffer()); // 1, open
        partition.appendRecordsToLeader(transactional(12, (short) 4, 0, 4_000).buffer()); // 2
        partition.appendTransactionMarker(12, (short) 4, 6, true, (short) 0); // 3, closes producer 12's transaction

        List<ProducerState> producers = describe("t", 0).activeProducers();

        assertThat(producers)
                .filteredOn(p -> p.producerId() == 11)
                .singleElement()
                .satisfies(open -> {
                    assertThat(open.currentTxnStartOffset()).isEqualTo(1);
                    assertThat(open.coordinatorEpoch()).as("no marker yet").isEqualTo(-1);
                    assertThat(open.producerEpoch()).isEqualTo(1);
                });
        assertThat(producers)
                .filteredOn(p -> p.producerId() == 12)
                .singleElement()
                .satisfies(committed -> {
                    assertThat(committed.currentTxnStartOffset()).isEqualTo(-1);
                    assertThat(committed.coordinatorEpoch()).isEqualTo(6);
                    assertThat(committed.lastSequence()).isEqualTo(0);
                    // as Kafka, the marker's time is the producer's last (it keeps the producer from expiring)
                    assertThat(committed.lastTimestamp()).isGreaterThan(4_000);
                });
    }

    @Test
    void shouldAnswerUnknownTopicOrPartitionForWhatIsNotHere() {
        PartitionResponse unknownTopic = describe("nope", 0);
        PartitionResponse unknownPartition = describe("t", 1);

        assertThat(Errors.forCode(unknownTopic.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(Errors.forCode(unknownPartition.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(unknownPartition.activeProducers()).isEmpty();
    }

    @Test
    void shouldAnswerInvalidTopicForANameNoTopicCanHave() {
        PartitionResponse answer = describe("bad/name", 0);

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
    }

    @Test
    void shouldAnswerKafkaStorageErrorForAnOfflinePartition() throws Exception {
        Partition offline = partitions.openOffline("u", 0);
        lookup.add(Uuid.randomUuid(), offline);

        PartitionResponse answer = describe("u", 0);

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(answer.activeProducers()).isEmpty();
    }
}
