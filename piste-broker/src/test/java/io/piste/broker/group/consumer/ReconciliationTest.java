package io.piste.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ReconciliationTest {

    private static final Uuid T = new Uuid(0, 7);
    private static final Reconciliation.Owners NOBODY = (topic, partition) -> null;

    private static MemberAssignment stable(int epoch, Integer... partitions) {
        return new MemberAssignment(epoch, epoch - 1, MemberState.STABLE, Map.of(T, Set.of(partitions)), Map.of());
    }

    @Test
    void shouldMoveANewMemberStraightToItsTarget() {
        MemberAssignment next =
                Reconciliation.next("m", MemberAssignment.NEW_MEMBER, 3, Map.of(T, Set.of(0, 1)), Map.of(), NOBODY);

        assertThat(next.state()).isEqualTo(MemberState.STABLE);
        assertThat(next.memberEpoch()).isEqualTo(3);
        assertThat(next.previousMemberEpoch()).isZero();
        assertThat(next.assigned()).isEqualTo(Map.of(T, Set.of(0, 1)));
    }

    /** KIP-1251: the member epoch at which each partition the member owns was assigned to it. */
    @Test
    void shouldKeepTheAssignmentEpochOfAKeptPartitionAndGiveANewOneTheTargetEpoch() {
        MemberAssignment current = new MemberAssignment(
                2, 1, MemberState.STABLE, Map.of(T, Set.of(0, 1)), Map.of(), Map.of(T, Map.of(0, 1, 1, 2)));

        MemberAssignment grown = Reconciliation.next("m", current, 3, Map.of(T, Set.of(0, 1, 2)), null, NOBODY);
        assertThat(grown.assignmentEpochs()).isEqualTo(Map.of(T, Map.of(0, 1, 1, 2, 2, 3)));

        MemberAssignment revoking = Reconciliation.next("m", grown, 4, Map.of(T, Set.of(2)), null, NOBODY);
        assertThat(revoking.pendingRevocation()).isEqualTo(Map.of(T, Set.of(0, 1)));
        assertThat(revoking.assignmentEpochs())
                .as("pending revocation: still owned, same epochs")
                .isEqualTo(grown.assignmentEpochs());

        MemberAssignment revoked =
                Reconciliation.next("m", revoking, 4, Map.of(T, Set.of(2)), Map.of(T, Set.of(2)), NOBODY);
        assertThat(revoked.memberEpoch()).isEqualTo(4);
        assertThat(revoked.assignmentEpochs()).isEqualTo(Map.of(T, Map.of(2, 3)));
        assertThat(revoked.assignmentEpoch(T, 0)).isEqualTo(-1);
    }

    @Test
    void shouldKeepTheEpochUntilRevokedPartitionsAreReportedGone() {
        MemberAssignment current = stable(2, 0, 1, 2);

        MemberAssignment revoking = Reconciliation.next("m", current, 3, Map.of(T, Set.of(0, 1)), null, NOBODY);
        assertThat(revoking.state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        assertThat(revoking.memberEpoch()).as("epoch stays while revoking").isEqualTo(2);
        assertThat(revoking.assigned()).isEqualTo(Map.of(T, Set.of(0, 1)));
        assertThat(revoking.pendingRevocation()).isEqualTo(Map.of(T, Set.of(2)));

        // Still reporting partition 2: nothing moves.
        assertThat(Reconciliation.next("m", revoking, 3, Map.of(T, Set.of(0, 1)), Map.of(T, Set.of(0, 1, 2)), NOBODY))
                .isEqualTo(revoking);
        // Not reporting at all (unchanged since last heartbeat): nothing moves either.
        assertThat(Reconciliation.next("m", revoking, 3, Map.of(T, Set.of(0, 1)), null, NOBODY))
                .isEqualTo(revoking);

        MemberAssignment done =
                Reconciliation.next("m", revoking, 3, Map.of(T, Set.of(0, 1)), Map.of(T, Set.of(0, 1)), NOBODY);
        assertThat(done.state()).isEqualTo(MemberState.STABLE);
        assertThat(done.memberEpoch()).isEqualTo(3);
        assertThat(done.previousMemberEpoch()).isEqualTo(2);
        assertThat(done.pendingRevocation()).isEmpty();
    }

    @Test
    void shouldWithholdAPartitionUntilItsPreviousOwnerReleasesIt() {
        MemberAssignment current = stable(2, 0);
        Reconciliation.Owners otherOwnsOne = (topic, partition) -> partition == 1 ? "other" : null;

        MemberAssignment waiting = Reconciliation.next("m", current, 3, Map.of(T, Set.of(0, 1, 2)), null, otherOwnsOne);
        assertThat(waiting.state()).isEqualTo(MemberState.UNRELEASED_PARTITIONS);
        assertThat(waiting.memberEpoch()).isEqualTo(3);
        assertThat(waiting.assigned()).isEqualTo(Map.of(T, Set.of(0, 2)));

        // Same target epoch: once released, the partition comes.
        MemberAssignment complete = Reconciliation.next("m", waiting, 3, Map.of(T, Set.of(0, 1, 2)), null, NOBODY);
        assertThat(complete.state()).isEqualTo(MemberState.STABLE);
        assertThat(complete.assigned()).isEqualTo(Map.of(T, Set.of(0, 1, 2)));
        assertThat(complete.previousMemberEpoch())
                .as("previous epoch unchanged within an epoch")
                .isEqualTo(2);
    }

    @Test
    void shouldLeaveAStableMemberAtItsTargetAlone() {
        MemberAssignment current = stable(4, 0, 1);

        assertThat(Reconciliation.next("m", current, 4, Map.of(T, Set.of(0, 1)), Map.of(T, Set.of(0, 1)), NOBODY))
                .isSameAs(current);
    }

    @Test
    void shouldRevokeBeforeAddingWhenTheTargetSwapsPartitions() {
        MemberAssignment current = stable(1, 0, 1);

        MemberAssignment next = Reconciliation.next("m", current, 2, Map.of(T, Set.of(1, 2)), null, NOBODY);

        assertThat(next.state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        assertThat(next.assigned()).as("nothing added before the revocation").isEqualTo(Map.of(T, Set.of(1)));
        assertThat(next.pendingRevocation()).isEqualTo(Map.of(T, Set.of(0)));
    }
}
