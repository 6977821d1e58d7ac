package io.piste.broker.group;

import java.util.Set;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the offsets APIs and offsets retention ask of classic groups: may this commit go ahead, may these offsets be
 * deleted, which offsets may expire. Thread-safe: each call holds the lock of the {@link ClassicGroups}, and
 * answers by its return value.
 */
public final class ClassicGroupOffsetChecks {

    private final ClassicGroups groups;

    ClassicGroupOffsetChecks(ClassicGroups groups) {
        this.groups = groups;
    }

    /**
     * Whether a commit may go ahead: simple commits (generation -1, no member id) only for a group without members;
     * otherwise the member and generation must be current and the group not waiting for its assignment. A commit
     * that goes ahead counts as the member's heartbeat.
     */
    public Errors validateOffsetCommit(String groupId, int generationId, String memberId, String groupInstanceId) {
        synchronized (groups) {
            ClassicGroup group = groups.get(groupId);
            boolean simple = generationId < 0 && (memberId == null || memberId.isEmpty());
            if (group == null || group.is(GroupState.EMPTY)) {
                return simple ? Errors.NONE : (group == null ? Errors.ILLEGAL_GENERATION : Errors.UNKNOWN_MEMBER_ID);
            }
            if (simple) {
                // A standalone consumer may not overwrite the offsets of a group that has active members.
                return Errors.UNKNOWN_MEMBER_ID;
            }
            Errors error = group.checkMember(memberId, groupInstanceId, generationId);
            if (error != Errors.NONE) {
                return error;
            }
            if (group.is(GroupState.COMPLETING_REBALANCE)) {
                return Errors.REBALANCE_IN_PROGRESS;
            }
            group.touchSession(group.member(memberId));
            return Errors.NONE;
        }
    }

    /**
     * Whether a transactional commit (TxnOffsetCommit) may go ahead, by Kafka's rules: a group that does not exist
     * only for a commit without generation (GROUP_ID_NOT_FOUND otherwise; before v6 the caller answers
     * ILLEGAL_GENERATION); a commit that names a member, instance or generation must name current ones; one that
     * names none (v0 to v2 cannot) is accepted even while the group has members. Unlike OffsetCommit the group's
     * state does not matter (no REBALANCE_IN_PROGRESS) and the commit is no heartbeat.
     */
    public Errors validateTransactionalOffsetCommit(
            String groupId, int generationId, String memberId, String groupInstanceId) {
        synchronized (groups) {
            ClassicGroup group = groups.get(groupId);
            if (group == null) {
                return generationId < 0 ? Errors.NONE : Errors.GROUP_ID_NOT_FOUND;
            }
            if (group.is(GroupState.DEAD)) {
                return Errors.COORDINATOR_NOT_AVAILABLE;
            }
            if (generationId < 0 && group.is(GroupState.EMPTY)) {
                return Errors.NONE;
            }
            boolean namesMember = memberId != null && !memberId.isEmpty();
            if (generationId >= 0 || namesMember || groupInstanceId != null) {
                return group.checkMember(memberId, groupInstanceId, generationId);
            }
            return Errors.NONE;
        }
    }

    public OffsetDeleteCheck validateOffsetDelete(String groupId) {
        synchronized (groups) {
            ClassicGroup group = groups.get(groupId);
            if (group == null || group.is(GroupState.DEAD)) {
                return new OffsetDeleteCheck(Errors.GROUP_ID_NOT_FOUND, Set.of());
            }
            if (group.is(GroupState.EMPTY)) {
                return new OffsetDeleteCheck(Errors.NONE, Set.of());
            }
            if (!ConsumerSubscriptions.PROTOCOL_TYPE.equals(group.protocolType())) {
                return new OffsetDeleteCheck(Errors.NON_EMPTY_GROUP, Set.of());
            }
            return new OffsetDeleteCheck(Errors.NONE, ConsumerSubscriptions.topicsOf(group));
        }
    }

    /** What offsets retention needs to know of a group, see {@link GroupActivity}. */
    public GroupActivity activity(String groupId) {
        synchronized (groups) {
            ClassicGroup group = groups.get(groupId);
            if (group == null || group.is(GroupState.DEAD) || group.is(GroupState.EMPTY)) {
                return GroupActivity.empty(group == null ? -1 : group.emptySinceMs());
            }
            Set<String> subscribed = ConsumerSubscriptions.PROTOCOL_TYPE.equals(group.protocolType())
                    ? ConsumerSubscriptions.knownTopicsOf(group)
                    : null;
            return subscribed == null ? GroupActivity.activeKeepingAll() : GroupActivity.active(subscribed);
        }
    }
}
