package io.piste.broker.group.consumer;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A member's reconciliation state: its epoch, the partitions it may consume ({@code assigned}) and those it has
 * been asked to give up and still owns ({@code pendingRevocation}). Immutable.
 *
 * @param memberEpoch         the epoch the member must send; the target's epoch once it has caught up
 * @param previousMemberEpoch the epoch before the last change, accepted once more from a member that missed the
 *                            answer that moved it on
 */
record MemberAssignment(int memberEpoch, int previousMemberEpoch, MemberState state,
                        Map<Uuid, Set<Integer>> assigned, Map<Uuid, Set<Integer>> pendingRevocation) {

    static final MemberAssignment NEW_MEMBER =
        new MemberAssignment(0, 0, MemberState.STABLE, Partitions.NONE, Partitions.NONE);

    MemberAssignment {
        assigned = Partitions.copyOf(assigned);
        pendingRevocation = Partitions.copyOf(pendingRevocation);
    }
}
