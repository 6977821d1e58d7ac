package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** TxnOffsetCommit's offsets in {@link GroupOffsets}: pending until their transaction's marker, then kept or dropped. */
class TransactionalOffsetsTest {

    private static final long PRODUCER = 7L;
    private static final long OTHER_PRODUCER = 8L;

    /** One write as the log received it. */
    private record Write(
            String groupId, long producerId, Map<TopicPartition, CommittedOffset> offsets, Consumer<Errors> done) {}

    private final List<Write> unwritten = new ArrayList<>();
    /** Groups "g" and "g2" in partition 0 of __consumer_offsets, "elsewhere" in partition 1. */
    private final GroupOffsets offsets = new GroupOffsets(
            (group, producerId, epoch, commit, done) -> unwritten.add(new Write(group, producerId, commit, done)),
            groupId -> groupId.equals("elsewhere") ? 1 : 0);

    private final TopicPartition tp = new TopicPartition("t", 0);
    private final TopicPartition tp1 = new TopicPartition("t", 1);

    private static CommittedOffset at(long offset) {
        return new CommittedOffset(offset, -1, "", 1);
    }

    private void writeAll() {
        while (!unwritten.isEmpty()) {
            unwritten.remove(0).done().accept(Errors.NONE);
        }
    }

    private void commitTransactional(String groupId, long producerId, Map<TopicPartition, CommittedOffset> commit) {
        offsets.commitTransactional(groupId, producerId, (short) 0, commit, e -> {});
        writeAll();
    }

    private void commit(String groupId, Map<TopicPartition, CommittedOffset> commit) {
        offsets.commit(groupId, commit, e -> {});
        writeAll();
    }

    @Test
    void shouldWriteATransactionalBatchAndKeepItPendingUntilTheMarker() {
        List<Errors> answers = new ArrayList<>();
        offsets.commitTransactional("g", PRODUCER, (short) 3, Map.of(tp, at(10)), answers::add);

        assertThat(unwritten)
                .singleElement()
                .satisfies(w -> assertThat(w.producerId()).isEqualTo(PRODUCER));
        assertThat(offsets.hasPendingTransactionalOffset("g", tp))
                .as("not durable yet")
                .isFalse();
        writeAll();

        assertThat(answers).containsExactly(Errors.NONE);
        assertThat(offsets.fetch("g")).isEmpty();
        assertThat(offsets.hasPendingTransactionalOffset("g", tp)).isTrue();
        assertThat(offsets.hasPendingTransactionalOffset("g", tp1)).isFalse();

        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(10);
        assertThat(offsets.hasPendingTransactionalOffset("g", tp)).isFalse();
    }

    @Test
    void shouldWritePlainCommitsWithoutAProducer() {
        offsets.commit("g", Map.of(tp, at(1)), e -> {});

        assertThat(unwritten)
                .singleElement()
                .satisfies(w -> assertThat(w.producerId()).isEqualTo(OffsetLog.NO_PRODUCER_ID));
    }

    @Test
    void shouldDropPendingOffsetsOnAbortAndKeepTheCommittedOne() {
        commit("g", Map.of(tp, at(5)));
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));

        offsets.completeTransaction(0, PRODUCER, false);

        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(5);
        assertThat(offsets.hasPendingTransactionalOffsets("g")).isFalse();
    }

    @Test
    void shouldKeepNothingPendingWhenTheWriteFails() {
        List<Errors> answers = new ArrayList<>();
        offsets.commitTransactional("g", PRODUCER, (short) 0, Map.of(tp, at(10)), answers::add);
        unwritten.remove(0).done().accept(Errors.INVALID_PRODUCER_EPOCH);

        assertThat(answers).containsExactly(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(offsets.hasPendingTransactionalOffsets("g")).isFalse();
    }

    @Test
    void shouldCompleteOnlyTheGroupsOfTheMarkersPartition() {
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));
        commitTransactional("elsewhere", PRODUCER, Map.of(tp, at(20)));

        offsets.completeTransaction(1, PRODUCER, true);

        assertThat(offsets.fetch("elsewhere").get(tp).offset()).isEqualTo(20);
        assertThat(offsets.fetch("g")).isEmpty();
        assertThat(offsets.hasPendingTransactionalOffset("g", tp)).isTrue();

        offsets.completeTransaction(0, PRODUCER, true);
        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(10);
    }

    @Test
    void shouldCompleteOnlyTheGivenProducer() {
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));
        commitTransactional("g", OTHER_PRODUCER, Map.of(tp1, at(30)));

        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.fetch("g")).containsOnlyKeys(tp);
        assertThat(offsets.hasPendingTransactionalOffset("g", tp1)).isTrue();
    }

    @Test
    void shouldKeepTheLastOffsetOfTheTransactionPerPartition() {
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));
        commitTransactional("g", PRODUCER, Map.of(tp, at(11), tp1, at(3)));

        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(11);
        assertThat(offsets.fetch("g").get(tp1).offset()).isEqualTo(3);
    }

    @Test
    void shouldNotLetACommittedTransactionOverwriteAPlainCommitWrittenAfterIt() {
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));
        commit("g", Map.of(tp, at(50)));
        assertThat(offsets.hasPendingTransactionalOffset("g", tp))
                .as("still unstable, as in Kafka")
                .isTrue();

        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.fetch("g").get(tp).offset())
                .as("the later record wins")
                .isEqualTo(50);
    }

    @Test
    void shouldLetACommittedTransactionOverwriteAPlainCommitWrittenBeforeIt() {
        commit("g", Map.of(tp, at(50)));
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));

        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(10);
    }

    @Test
    void shouldNotLetAnOlderTransactionOverwriteANewerOneCommittedFirst() {
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));
        commitTransactional("g", OTHER_PRODUCER, Map.of(tp, at(20)));

        offsets.completeTransaction(0, OTHER_PRODUCER, true);
        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(20);
    }

    @Test
    void shouldIgnoreACompletionWithoutPendingOffsets() {
        commit("g", Map.of(tp, at(5)));

        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(5);
    }

    @Test
    void shouldDeletePendingOffsetsWithTheGroupSoTheirCommitBringsNothingBack() {
        commit("g", Map.of(tp, at(5)));
        commitTransactional("g", PRODUCER, Map.of(tp, at(10), tp1, at(3)));

        offsets.deleteGroup("g", e -> {});
        assertThat(unwritten)
                .singleElement()
                .satisfies(w -> assertThat(w.offsets())
                        .as("a tombstone over the committed and the pending-only partition")
                        .containsOnlyKeys(tp, tp1));
        writeAll();
        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.hasOffsets("g")).isFalse();
        assertThat(offsets.hasPendingTransactionalOffsets("g")).isFalse();
    }

    @Test
    void shouldDeleteAPartitionWithOnlyAPendingOffset() {
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));

        offsets.deletePartitions("g", Set.of(tp), e -> {});
        assertThat(unwritten).as("a tombstone for the pending offset").hasSize(1);
        writeAll();
        offsets.completeTransaction(0, PRODUCER, true);

        assertThat(offsets.fetch("g")).isEmpty();
    }

    @Test
    void shouldNotExpireAnOffsetWithAPendingTransactionalOffset() {
        commit("g", Map.of(tp, at(5), tp1, at(6)));
        commitTransactional("g", PRODUCER, Map.of(tp, at(10)));

        int expired = offsets.expire("g", (partition, offset) -> true, e -> {});

        assertThat(expired).isEqualTo(1);
        assertThat(unwritten)
                .singleElement()
                .satisfies(w -> assertThat(w.offsets()).containsOnlyKeys(tp1));
        writeAll();
        offsets.completeTransaction(0, PRODUCER, true);
        assertThat(offsets.fetch("g").get(tp).offset()).isEqualTo(10);
    }
}
