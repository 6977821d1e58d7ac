package io.piste.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.handler.ProduceRequestChecks.PartitionKey;
import java.nio.ByteBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.junit.jupiter.api.Test;

class ProduceRequestChecksTest {

    private static final Uuid ID_A = Uuid.randomUuid();
    private static final Uuid ID_B = Uuid.randomUuid();

    private static TopicProduceData topic(String name, Uuid id, int... partitions) {
        TopicProduceData topic = new TopicProduceData().setName(name).setTopicId(id);
        for (int p : partitions) {
            topic.partitionData().add(new PartitionProduceData().setIndex(p));
        }
        return topic;
    }

    private static ProduceRequestData request(TopicProduceData... topics) {
        ProduceRequestData request = new ProduceRequestData();
        for (TopicProduceData topic : topics) {
            request.topicData().add(topic);
        }
        return request;
    }

    /** Records of {@code size} bytes whose first batch declares {@code batchLength}. */
    private static ByteBuffer records(int size, int batchLength) {
        ByteBuffer records = ByteBuffer.allocate(size);
        records.putInt(8, batchLength);
        return records;
    }

    @Test
    void shouldFindNoRepeatInDistinctPartitions() {
        assertThat(ProduceRequestChecks.listedMoreThanOnce(
                        request(topic("a", ID_A, 0, 1, 2), topic("b", ID_B, 0, 1)), false))
                .isEmpty();
        assertThat(ProduceRequestChecks.listedMoreThanOnce(
                        request(topic("a", ID_A, 0, 1, 2), topic("b", ID_B, 0, 1)), true))
                .isEmpty();
    }

    @Test
    void shouldFindAPartitionListedTwiceInOneTopicEntry() {
        assertThat(ProduceRequestChecks.listedMoreThanOnce(request(topic("a", ID_A, 0, 1, 0)), false))
                .containsExactly(new PartitionKey("a", 0));
    }

    @Test
    void shouldFindAPartitionListedUnderTwoEntriesOfOneTopic() {
        ProduceRequestData byName = request(
                topic("a", Uuid.ZERO_UUID, 0, 1), topic("b", Uuid.ZERO_UUID, 1), topic("a", Uuid.ZERO_UUID, 2, 1));
        assertThat(ProduceRequestChecks.listedMoreThanOnce(byName, false)).containsExactly(new PartitionKey("a", 1));

        // From v13 the topic is its id; the names are null.
        ProduceRequestData byId = request(topic(null, ID_A, 3), topic(null, ID_B, 3), topic(null, ID_A, 3));
        assertThat(ProduceRequestChecks.listedMoreThanOnce(byId, true)).containsExactly(new PartitionKey(ID_A, 3));
    }

    @Test
    void shouldFindRepeatsBeyondThePairwiseBound() {
        int[] many = new int[ProduceRequestChecks.PAIRWISE_MAX + 10];
        for (int i = 0; i < many.length; i++) {
            many[i] = i;
        }
        assertThat(ProduceRequestChecks.listedMoreThanOnce(request(topic("a", ID_A, many)), false))
                .isEmpty();
        assertThat(ProduceRequestChecks.listedMoreThanOnce(
                        request(topic("a", ID_A, many), topic("a", ID_A, 70, 5)), false))
                .containsExactlyInAnyOrder(new PartitionKey("a", 70), new PartitionKey("a", 5));
    }

    @Test
    void shouldSeeASecondBatchOrTrailingBytes() {
        assertThat(ProduceRequestChecks.holdsMoreThanOneBatch(records(100, 88))).isFalse();
        assertThat(ProduceRequestChecks.holdsMoreThanOneBatch(records(101, 88))).isTrue();
    }

    @Test
    void shouldLeaveABatchLengthShorterThanAHeaderToTheLog() {
        // The log answers these CORRUPT_MESSAGE; they are not "several batches" (INVALID_RECORD).
        assertThat(ProduceRequestChecks.holdsMoreThanOneBatch(records(100, -5))).isFalse();
        assertThat(ProduceRequestChecks.holdsMoreThanOneBatch(records(100, 0))).isFalse();
        assertThat(ProduceRequestChecks.holdsMoreThanOneBatch(records(100, 48))).isFalse();
        assertThat(ProduceRequestChecks.holdsMoreThanOneBatch(records(100, Integer.MIN_VALUE)))
                .isFalse();
        assertThat(ProduceRequestChecks.holdsMoreThanOneBatch(records(100, Integer.MAX_VALUE)))
                .isFalse();
    }
}
