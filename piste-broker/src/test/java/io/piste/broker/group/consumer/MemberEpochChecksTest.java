package io.piste.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** KIP-1251's rule for an OffsetCommit sent with an older member epoch, on a member in each state. */
class MemberEpochChecksTest {

    private static final Uuid T = new Uuid(0, 7);

    /** A member at epoch 5 that owns partition 0 since epoch 3 and 1 since 5, and is revoking 2 (owned since 4). */
    private static ConsumerGroupMember revokingMember() {
        ConsumerGroupMember member = new ConsumerGroupMember("m", null);
        member.assignment = new MemberAssignment(
                5,
                4,
                MemberState.UNREVOKED_PARTITIONS,
                Map.of(T, Set.of(0, 1)),
                Map.of(T, Set.of(2)),
                Map.of(T, Map.of(0, 3, 1, 5, 2, 4)));
        return member;
    }

    private static Errors commit(ConsumerGroupMember member, int epoch, Integer... partitions) {
        return MemberEpochChecks.offsetCommit(member, epoch, Map.of(T, Set.of(partitions)));
    }

    @Test
    void shouldAcceptTheCurrentEpochForAnyPartitionAndRefuseANewerOne() {
        ConsumerGroupMember member = revokingMember();

        assertThat(commit(member, 5, 0, 1, 2, 9)).isEqualTo(Errors.NONE);
        assertThat(commit(member, 6, 0)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
    }

    @Test
    void shouldAcceptAnOlderEpochForOwnedPartitionsAssignedAtOrBeforeIt() {
        ConsumerGroupMember member = revokingMember();

        assertThat(commit(member, 4, 0, 2))
                .as("assigned at 3, pending revocation since 4")
                .isEqualTo(Errors.NONE);
        assertThat(commit(member, 3, 0)).as("assigned at exactly that epoch").isEqualTo(Errors.NONE);
    }

    @Test
    void shouldRefuseAnOlderEpochForAPartitionAssignedLaterOrNotOwned() {
        ConsumerGroupMember member = revokingMember();

        assertThat(commit(member, 4, 0, 1)).as("1 was assigned at 5").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit(member, 3, 2)).as("2 was assigned at 4").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit(member, 4, 3)).as("3 is not the member's").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(MemberEpochChecks.offsetCommit(member, 4, Map.of(new Uuid(0, 8), Set.of(0))))
                .as("another topic")
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);
    }

    @Test
    void shouldAcceptOnlyTheCurrentEpochForAnOffsetFetch() {
        ConsumerGroupMember member = revokingMember();

        assertThat(MemberEpochChecks.offsetFetch(member, 5)).isEqualTo(Errors.NONE);
        assertThat(MemberEpochChecks.offsetFetch(member, 4)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
    }
}
