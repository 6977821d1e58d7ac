package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * The broker never writes a record of {@code __consumer_offsets} that its own load could not read back: a string the
 * int16 length cannot hold is refused before anything is written.
 */
class OffsetsTopicWriteTest {

    /** 11,000 characters of 3 UTF-8 bytes each: 33,000 bytes, more than 32,767. */
    private static final String LONG_GROUP = "\uFFFD".repeat(11_000);

    private static final TopicPartition TP = new TopicPartition("t", 0);

    // No controller nor partitions: a refused write must not reach them.
    private final OffsetsTopic topic = new OffsetsTopic(null, null, 1, () -> 1L);

    @Test
    void shouldRefuseAStringLongerThanItsInt16LengthInsteadOfWrappingIt() {
        assertThatThrownBy(() -> OffsetRecordCodec.key(LONG_GROUP, TP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("string of 33000 bytes");
    }

    @Test
    void shouldAnswerInvalidRequestForAnOffsetCommitItCannotEncode() {
        List<Errors> answers = new ArrayList<>();

        topic.append(
                LONG_GROUP,
                OffsetLog.NO_PRODUCER_ID,
                (short) -1,
                Map.of(TP, new CommittedOffset(1, 0, null, 1)),
                answers::add);

        assertThat(answers).containsExactly(Errors.INVALID_REQUEST);
    }

    @Test
    void shouldAnswerInvalidRequestForAMembershipItCannotEncode() {
        List<Errors> answers = new ArrayList<>();
        GroupRecord group = new GroupRecord(
                "consumer",
                1,
                "range",
                "m",
                1,
                List.of(new GroupRecord.Member(
                        "m", null, LONG_GROUP, "/127.0.0.1", 10_000, 30_000, new byte[0], new byte[0])));

        topic.writeGroup("g", group, answers::add);

        assertThat(answers).containsExactly(Errors.INVALID_REQUEST);
    }
}
