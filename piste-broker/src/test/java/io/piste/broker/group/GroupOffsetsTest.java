package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class GroupOffsetsTest {

    private final List<Consumer<Errors>> unwritten = new ArrayList<>();
    private final GroupOffsets offsets =
            new GroupOffsets((group, producerId, epoch, commit, done) -> unwritten.add(done), g -> 0);
    private final TopicPartition tp = new TopicPartition("t", 3);

    @Test
    void shouldShowCommitOnlyOnceDurable() {
        List<Errors> answers = new ArrayList<>();
        offsets.commit("g", Map.of(tp, new CommittedOffset(42, 0, "m", 1)), answers::add);
        assertThat(offsets.fetch("g")).isEmpty();

        unwritten.remove(0).accept(Errors.NONE);

        assertThat(answers).containsExactly(Errors.NONE);
        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(42);
    }

    @Test
    void shouldKeepOldOffsetWhenWriteFails() {
        offsets.apply("g", tp, new CommittedOffset(1, -1, null, 1));
        offsets.commit("g", Map.of(tp, new CommittedOffset(2, -1, null, 2)), e -> {});

        unwritten.remove(0).accept(Errors.COORDINATOR_NOT_AVAILABLE);

        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(1);
    }

    @Test
    void shouldDeleteGroupWithTombstones() {
        offsets.apply("g", tp, new CommittedOffset(1, -1, null, 1));
        offsets.deleteGroup("g", e -> {});
        unwritten.remove(0).accept(Errors.NONE);

        assertThat(offsets.hasOffsets("g")).isFalse();
    }

    @Test
    void shouldDeleteOnlyTheGivenPartitionsThatHaveOffsets() {
        TopicPartition other = new TopicPartition("t", 4);
        offsets.apply("g", tp, new CommittedOffset(1, -1, null, 1));
        offsets.apply("g", other, new CommittedOffset(2, -1, null, 1));
        List<Errors> answers = new ArrayList<>();

        offsets.deletePartitions("g", Set.of(tp, new TopicPartition("never-committed", 0)), answers::add);
        assertThat(offsets.fetch("g")).as("not durable yet").containsKey(tp);
        unwritten.remove(0).accept(Errors.NONE);

        assertThat(answers).containsExactly(Errors.NONE);
        assertThat(offsets.fetch("g")).containsOnlyKeys(other);

        offsets.deletePartitions("g", Set.of(new TopicPartition("never-committed", 0)), answers::add);
        assertThat(unwritten).as("nothing to write").isEmpty();
        assertThat(answers).containsExactly(Errors.NONE, Errors.NONE);
    }

    @Test
    void shouldRoundTripOffsetRecords() {
        Map<TopicPartition, CommittedOffset> committed = new HashMap<>();
        CommittedOffset value = new CommittedOffset(Long.MAX_VALUE - 1, 7, "métadonnées", 1234);
        committed.put(tp, value);

        OffsetRecordCodec.Key key = OffsetRecordCodec.readKey(ByteBuffer.wrap(OffsetRecordCodec.key("grp", tp)));

        assertThat(key.groupId()).isEqualTo("grp");
        assertThat(key.partition()).isEqualTo(tp);
        assertThat(OffsetRecordCodec.readValue(ByteBuffer.wrap(OffsetRecordCodec.value(value))))
                .isEqualTo(value);
        assertThat(OffsetRecordCodec.readValue(
                                ByteBuffer.wrap(OffsetRecordCodec.value(new CommittedOffset(0, -1, null, 0))))
                        .metadata())
                .isNull();
        assertThat(OffsetsTopic.partitionIndex("grp", 50)).isEqualTo(Math.abs("grp".hashCode()) % 50);
    }
}
