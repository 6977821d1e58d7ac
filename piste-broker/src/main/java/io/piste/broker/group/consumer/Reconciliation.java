package io.piste.broker.group.consumer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * One step of a member towards its target assignment, KIP-848's incremental reconciliation: partitions the target
 * takes away are revoked first (the member keeps its epoch until it reports them gone), then the member moves to the
 * target epoch and receives the new partitions that no other member still owns. Nothing stops the rest of the group
 * meanwhile. A pure function of its inputs.
 */
final class Reconciliation {

    /** Who owns a partition now (assigned to it or pending its revocation), or null. */
    @FunctionalInterface
    interface Owners {
        String ownerOf(Uuid topicId, int partition);
    }

    private Reconciliation() {}

    /**
     * @param owned the partitions the member reported owning in this heartbeat, null if it did not report them
     */
    static MemberAssignment next(
            String memberId,
            MemberAssignment current,
            int targetEpoch,
            Map<Uuid, Set<Integer>> target,
            Map<Uuid, Set<Integer>> owned,
            Owners owners) {
        switch (current.state()) {
            case UNREVOKED_PARTITIONS -> {
                if (owned == null || Partitions.overlap(owned, current.pendingRevocation())) {
                    return current;
                }
                // Revoked: the partitions are free for their new owners, and the member may go on.
                MemberAssignment revoked = new MemberAssignment(
                        current.memberEpoch(),
                        current.previousMemberEpoch(),
                        MemberState.STABLE,
                        current.assigned(),
                        Partitions.NONE,
                        current.assignmentEpochs());
                return towards(memberId, revoked, targetEpoch, target, owners);
            }
            case UNRELEASED_PARTITIONS -> {
                return towards(memberId, current, targetEpoch, target, owners);
            }
            default -> {
                return current.memberEpoch() == targetEpoch
                        ? current
                        : towards(memberId, current, targetEpoch, target, owners);
            }
        }
    }

    private static MemberAssignment towards(
            String memberId, MemberAssignment current, int targetEpoch, Map<Uuid, Set<Integer>> target, Owners owners) {
        Map<Uuid, Set<Integer>> kept = Partitions.intersect(current.assigned(), target);
        Map<Uuid, Set<Integer>> revoke = Partitions.minus(current.assigned(), target);
        if (!revoke.isEmpty()) {
            return new MemberAssignment(
                    current.memberEpoch(),
                    current.previousMemberEpoch(),
                    MemberState.UNREVOKED_PARTITIONS,
                    kept,
                    revoke,
                    current.assignmentEpochs());
        }
        Map<Uuid, Set<Integer>> assigned = new HashMap<>();
        kept.forEach((topic, ids) -> assigned.put(topic, new TreeSet<>(ids)));
        // A kept partition keeps the epoch it was assigned at; a new one is assigned at the target epoch.
        Map<Uuid, Map<Integer, Integer>> epochs = new HashMap<>();
        current.assignmentEpochs().forEach((topic, byPartition) -> epochs.put(topic, new HashMap<>(byPartition)));
        boolean unreleased = false;
        for (Map.Entry<Uuid, Set<Integer>> topic :
                Partitions.minus(target, kept).entrySet()) {
            for (int partition : topic.getValue()) {
                String owner = owners.ownerOf(topic.getKey(), partition);
                if (owner != null && !owner.equals(memberId)) {
                    unreleased = true;
                } else {
                    assigned.computeIfAbsent(topic.getKey(), t -> new TreeSet<>())
                            .add(partition);
                    epochs.computeIfAbsent(topic.getKey(), t -> new HashMap<>()).put(partition, targetEpoch);
                }
            }
        }
        int previous = targetEpoch == current.memberEpoch() ? current.previousMemberEpoch() : current.memberEpoch();
        return new MemberAssignment(
                targetEpoch,
                previous,
                unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE,
                assigned,
                Partitions.NONE,
                epochs);
    }
}
