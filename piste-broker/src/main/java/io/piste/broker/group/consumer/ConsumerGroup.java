package io.piste.broker.group.consumer;

import io.piste.broker.metadata.MetadataImage;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * One consumer group: its epochs, members, target assignment and who owns which partition now, with the
 * transitions that keep them consistent (a member joins, leaves or is replaced; the group moves to a new epoch; a
 * member moves towards its target). Guarded by the coordinator's lock.
 *
 * <p>The group epoch moves whenever what the assignment depends on changes (a member joins or leaves, a
 * subscription, the assignor, a subscribed topic's partitions); the target assignment is then computed at once, so
 * the assignment epoch follows it. Members reach the target one heartbeat at a time ({@link Reconciliation}).
 */
final class ConsumerGroup {

    final String groupId;
    int groupEpoch;
    int assignmentEpoch;
    /** When the group epoch last moved (timer milliseconds); not kept across restarts. */
    long epochChangedAtMs = Long.MIN_VALUE / 2;

    String assignorName = "";
    /** When the last member left, for offsets retention; -1 while it has members. */
    long emptySinceMs = -1;

    final Map<String, ConsumerGroupMember> members = new LinkedHashMap<>();
    /** group.instance.id to member id, for static members. */
    final Map<String, String> staticMembers = new HashMap<>();

    Map<String, Map<Uuid, Set<Integer>>> targetAssignment = Map.of();
    /** By topic name, the existing topics some member subscribes to; the target depends on these. */
    Map<String, SubscribedTopic> subscribedTopics = Map.of();
    /** The metadata {@link #subscribedTopics} was resolved against, to notice topic changes cheaply. */
    MetadataImage resolvedAgainst;

    private final Map<Uuid, Map<Integer, String>> owners = new HashMap<>();

    ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    ConsumerGroupState state() {
        if (members.isEmpty()) {
            return ConsumerGroupState.EMPTY;
        }
        if (groupEpoch != assignmentEpoch) {
            return ConsumerGroupState.ASSIGNING;
        }
        for (ConsumerGroupMember m : members.values()) {
            if (m.assignment.memberEpoch() != assignmentEpoch || m.assignment.state() != MemberState.STABLE) {
                return ConsumerGroupState.RECONCILING;
            }
        }
        return ConsumerGroupState.STABLE;
    }

    /** Reconciling, or settled for less than {@code settleMs}: members should check in often. */
    boolean isChanging(long nowMs, long settleMs) {
        return state() != ConsumerGroupState.STABLE || nowMs - epochChangedAtMs < settleMs;
    }

    // ---------------------------------------------------------------- transitions

    /** A new member joins; a static member's instance id now names it. */
    void addMember(ConsumerGroupMember member) {
        members.put(member.memberId, member);
        if (member.instanceId != null) {
            staticMembers.put(member.instanceId, member.memberId);
        }
    }

    /**
     * The member is gone: its timers stop, its partitions are free at once and it has no target any more. The
     * caller moves the group to a new epoch.
     */
    void removeMember(ConsumerGroupMember member, long nowMs) {
        member.cancelTimers();
        release(member.memberId, member.assignment);
        members.remove(member.memberId);
        if (member.instanceId != null && member.memberId.equals(staticMembers.get(member.instanceId))) {
            staticMembers.remove(member.instanceId);
        }
        Map<String, Map<Uuid, Set<Integer>>> target = new HashMap<>(targetAssignment);
        target.remove(member.memberId);
        targetAssignment = Map.copyOf(target);
        if (members.isEmpty()) {
            emptySinceMs = nowMs;
        }
    }

    /**
     * A static member that left with epoch -2 comes back under {@code memberId}: the new member takes the old one's
     * epoch, partitions, subscription and target, and the group epoch stays.
     */
    ConsumerGroupMember replaceStaticMember(ConsumerGroupMember old, String memberId) {
        ConsumerGroupMember member = new ConsumerGroupMember(memberId, old.instanceId);
        member.assignment = old.assignment;
        member.subscribedTopicNames = old.subscribedTopicNames;
        member.subscribedTopicRegex = old.subscribedTopicRegex;
        member.subscribedTopicPattern = old.subscribedTopicPattern;
        member.serverAssignor = old.serverAssignor;
        member.rebalanceTimeoutMs = old.rebalanceTimeoutMs;
        old.cancelTimers();
        release(old.memberId, old.assignment);
        members.remove(old.memberId);
        updateOwners(memberId, MemberAssignment.NEW_MEMBER, member.assignment);
        Map<String, Map<Uuid, Set<Integer>>> target = new HashMap<>(targetAssignment);
        Map<Uuid, Set<Integer>> oldTarget = target.remove(old.memberId);
        if (oldTarget != null) {
            target.put(memberId, oldTarget);
        }
        targetAssignment = Map.copyOf(target);
        members.put(memberId, member);
        staticMembers.put(old.instanceId, memberId);
        return member;
    }

    /** Moves to a new group epoch, whose target assignment {@code assignorName} computed. */
    void bumpEpoch(Map<String, Map<Uuid, Set<Integer>>> target, String assignorName, long nowMs) {
        groupEpoch++;
        epochChangedAtMs = nowMs;
        targetAssignment = target;
        this.assignorName = assignorName;
        assignmentEpoch = groupEpoch;
    }

    /** The member moves from its assignment to {@code after} (a reconciliation step). */
    void reassign(ConsumerGroupMember member, MemberAssignment after) {
        updateOwners(member.memberId, member.assignment, after);
        member.assignment = after;
    }

    // ---------------------------------------------------------------- reads

    Map<Uuid, Set<Integer>> targetOf(String memberId) {
        return targetAssignment.getOrDefault(memberId, Partitions.NONE);
    }

    String ownerOf(Uuid topicId, int partition) {
        Map<Integer, String> byPartition = owners.get(topicId);
        return byPartition == null ? null : byPartition.get(partition);
    }

    /** Records the member's move from {@code before} to {@code after} in the owners table. */
    void updateOwners(String memberId, MemberAssignment before, MemberAssignment after) {
        release(memberId, before);
        own(memberId, after.assigned());
        own(memberId, after.pendingRevocation());
    }

    void release(String memberId, MemberAssignment assignment) {
        disown(memberId, assignment.assigned());
        disown(memberId, assignment.pendingRevocation());
    }

    private void own(String memberId, Map<Uuid, Set<Integer>> partitions) {
        partitions.forEach((topic, ids) -> {
            Map<Integer, String> byPartition = owners.computeIfAbsent(topic, t -> new HashMap<>());
            ids.forEach(p -> byPartition.put(p, memberId));
        });
    }

    private void disown(String memberId, Map<Uuid, Set<Integer>> partitions) {
        partitions.forEach((topic, ids) -> {
            Map<Integer, String> byPartition = owners.get(topic);
            if (byPartition != null) {
                ids.forEach(p -> byPartition.remove(p, memberId));
                if (byPartition.isEmpty()) {
                    owners.remove(topic);
                }
            }
        });
    }
}
