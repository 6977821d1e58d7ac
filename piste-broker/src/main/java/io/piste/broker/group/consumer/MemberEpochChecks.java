package io.piste.broker.group.consumer;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's checks of the member epoch a consumer group member sends with a heartbeat, an offset commit or an offset
 * fetch, against the member's state on the coordinator. Pure functions; called under the coordinator's lock.
 */
final class MemberEpochChecks {

    private MemberEpochChecks() {}

    /**
     * ConsumerGroupHeartbeat: a member may send its current epoch, or its previous one if it missed the answer that
     * moved it on and owns nothing it was not given since; anything else is FENCED_MEMBER_EPOCH.
     */
    static Errors heartbeat(ConsumerGroupMember member, int epoch, Map<Uuid, Set<Integer>> owned) {
        MemberAssignment current = member.assignment;
        if (member.leftStatically || epoch > current.memberEpoch()) {
            return Errors.FENCED_MEMBER_EPOCH;
        }
        if (epoch < current.memberEpoch()
                && (epoch != current.previousMemberEpoch()
                        || owned == null
                        || !Partitions.isSubset(owned, current.assigned()))) {
            return Errors.FENCED_MEMBER_EPOCH;
        }
        return Errors.NONE;
    }

    /**
     * OffsetCommit (KIP-1251, assignment epochs): the member's current epoch commits any partition; a newer one
     * none. An older one, sent before a heartbeat moved the member on, commits a partition the member still owns
     * (assigned or pending revocation) if it is at least the epoch at which the member was assigned the partition:
     * the member has owned it without a break since. Otherwise STALE_MEMBER_EPOCH, for the whole commit as in Kafka.
     *
     * @param partitions the partitions committed, by topic id (a topic that does not exist is owned by no one)
     */
    static Errors offsetCommit(ConsumerGroupMember member, int epoch, Map<Uuid, Set<Integer>> partitions) {
        MemberAssignment current = member.assignment;
        if (epoch == current.memberEpoch()) {
            return Errors.NONE;
        }
        if (epoch > current.memberEpoch()) {
            return Errors.STALE_MEMBER_EPOCH;
        }
        for (Map.Entry<Uuid, Set<Integer>> topic : partitions.entrySet()) {
            for (int partition : topic.getValue()) {
                int assignedAt = current.assignmentEpoch(topic.getKey(), partition);
                if (assignedAt < 0 || epoch < assignedAt) {
                    return Errors.STALE_MEMBER_EPOCH;
                }
            }
        }
        return Errors.NONE;
    }

    /** OffsetFetch (v9+): only the member's current epoch (Kafka relaxes commits only). */
    static Errors offsetFetch(ConsumerGroupMember member, int epoch) {
        return epoch == member.assignment.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }
}
