package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class OffsetExpiryTest {

    private static final long RETENTION_MS = 1000;

    private final List<Consumer<Errors>> unwritten = new ArrayList<>();
    private final GroupOffsets offsets =
            new GroupOffsets((group, producerId, epoch, commit, done) -> unwritten.add(done), g -> 0);
    private final Map<String, GroupActivity> activity = new HashMap<>();
    private final List<String> forgotten = new ArrayList<>();
    private final OffsetExpiry expiry = new OffsetExpiry(
            offsets, g -> activity.getOrDefault(g, GroupActivity.empty(-1)), forgotten::add, RETENTION_MS);
    private final TopicPartition a0 = new TopicPartition("a", 0);
    private final TopicPartition b0 = new TopicPartition("b", 0);

    private void writeAll() {
        while (!unwritten.isEmpty()) {
            unwritten.remove(0).accept(Errors.NONE);
        }
    }

    @Test
    void shouldExpireAStandaloneConsumersOffsetsOneRetentionAfterTheirCommit() {
        offsets.apply("g", a0, new CommittedOffset(5, -1, null, 100));
        offsets.apply("g", b0, new CommittedOffset(6, -1, null, 600));

        assertThat(expiry.expire(100 + RETENTION_MS - 1)).isZero();
        assertThat(expiry.expire(100 + RETENTION_MS)).isEqualTo(1);
        writeAll();

        assertThat(offsets.fetch("g")).containsOnlyKeys(b0);
        assertThat(forgotten).isEmpty();
        assertThat(expiry.expire(600 + RETENTION_MS)).isEqualTo(1);
        writeAll();
        assertThat(offsets.hasOffsets("g")).isFalse();
        assertThat(forgotten)
                .as("forgotten at the next run, not from the write's callback")
                .isEmpty();

        expiry.expire(600 + RETENTION_MS);
        assertThat(forgotten).containsExactly("g");
    }

    @Test
    void shouldForgetAnExpiredGroupOfARealCoordinatorWhenWritesAreDurableAtOnce() {
        FakeGroupTimer timer = new FakeGroupTimer();
        GroupCoordinator coordinator =
                new GroupCoordinator(new GroupConfig(0, 6000, 1_800_000, 4096, 5, RETENTION_MS, 1000), timer);
        // Like OffsetsTopic in page-cache mode: the callback runs on the calling thread, inside GroupOffsets' lock.
        GroupOffsets immediate =
                new GroupOffsets((group, producerId, epoch, commit, done) -> done.accept(Errors.NONE), g -> 0);
        OffsetExpiry withCoordinator = new OffsetExpiry(
                immediate, coordinator.offsetChecks()::activity, coordinator.admin()::removeIfEmpty, RETENTION_MS);
        immediate.apply("g", a0, new CommittedOffset(5, -1, null, 0));
        coordinator.admin().ensureGroup("g");

        assertThat(withCoordinator.expire(RETENTION_MS)).isEqualTo(1);
        withCoordinator.expire(RETENTION_MS);

        assertThat(immediate.hasOffsets("g")).isFalse();
        assertThat(coordinator.admin().stateOf("g")).isEqualTo("Dead");
    }

    @Test
    void shouldKeepAGroupWhileATransactionHoldsOffsetsOfIt() {
        offsets.apply("g", a0, new CommittedOffset(5, -1, null, 0));
        offsets.commitTransactional("g", 7L, (short) 0, Map.of(b0, new CommittedOffset(9, -1, null, 0)), e -> {});
        writeAll();

        assertThat(expiry.expire(RETENTION_MS)).isEqualTo(1);
        writeAll();
        expiry.expire(RETENTION_MS);
        expiry.expire(RETENTION_MS);
        assertThat(forgotten).as("its transaction is open").isEmpty();

        offsets.completeTransaction(0, 7L, false);
        expiry.expire(RETENTION_MS);
        assertThat(forgotten).as("forgotten once the transaction aborted").containsExactly("g");
    }

    @Test
    void shouldCountFromWhenTheGroupBecameEmptyIfThatIsLater() {
        offsets.apply("g", a0, new CommittedOffset(5, -1, null, 100));
        activity.put("g", GroupActivity.empty(5000));

        assertThat(expiry.expire(5000 + RETENTION_MS - 1)).isZero();
        assertThat(expiry.expire(5000 + RETENTION_MS)).isEqualTo(1);
    }

    @Test
    void shouldExpireOnlyUnsubscribedTopicsOfAGroupWithMembers() {
        offsets.apply("g", a0, new CommittedOffset(5, -1, null, 0));
        offsets.apply("g", b0, new CommittedOffset(6, -1, null, 0));
        activity.put("g", GroupActivity.active(Set.of("a")));

        assertThat(expiry.expire(10 * RETENTION_MS)).isEqualTo(1);
        writeAll();

        assertThat(offsets.fetch("g")).containsOnlyKeys(a0);
        assertThat(forgotten).as("a group with members is never forgotten").isEmpty();
    }

    @Test
    void shouldKeepEveryOffsetOfAnActiveGroupOfAnotherProtocolType() {
        offsets.apply("g", a0, new CommittedOffset(5, -1, null, 0));
        activity.put("g", GroupActivity.activeKeepingAll());

        assertThat(expiry.expire(10 * RETENTION_MS)).isZero();
    }

    @Test
    void shouldNotExpireWhileACommitOfTheGroupIsInFlight() {
        offsets.apply("g", a0, new CommittedOffset(5, -1, null, 0));
        offsets.commit("g", Map.of(a0, new CommittedOffset(9, -1, null, 10 * RETENTION_MS)), e -> {});

        assertThat(expiry.expire(10 * RETENTION_MS))
                .as("the commit in flight would be deleted")
                .isZero();
        writeAll();
        assertThat(offsets.fetch("g").get(a0).offset()).isEqualTo(9);
    }
}
