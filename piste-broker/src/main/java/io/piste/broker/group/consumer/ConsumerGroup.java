package io.piste.broker.group.consumer;

import io.piste.broker.metadata.MetadataImage;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * One consumer group: its epochs, members, target assignment and who owns which partition now. Guarded by the
 * coordinator's lock.
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
