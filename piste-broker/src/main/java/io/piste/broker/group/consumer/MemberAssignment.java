package io.piste.broker.group.consumer;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A member's reconciliation state: its epoch, the partitions it may consume ({@code assigned}) and those it has
 * been asked to give up and still owns ({@code pendingRevocation}), each with its assignment epoch. Immutable.
 *
 * @param memberEpoch         the epoch the member must send; the target's epoch once it has caught up
 * @param previousMemberEpoch the epoch before the last change, accepted once more from a member that missed the
 *                            answer that moved it on
 * @param assignmentEpochs    KIP-1251: for every partition the member owns (assigned or pending revocation), the
 *                            member epoch at which it was assigned to the member; a commit sent with an older member
 *                            epoch is accepted for the partition from that epoch on. Exactly the owned partitions.
 */
record MemberAssignment(
        int memberEpoch,
        int previousMemberEpoch,
        MemberState state,
        Map<Uuid, Set<Integer>> assigned,
        Map<Uuid, Set<Integer>> pendingRevocation,
        Map<Uuid, Map<Integer, Integer>> assignmentEpochs) {

    static final MemberAssignment NEW_MEMBER =
            new MemberAssignment(0, 0, MemberState.STABLE, Partitions.NONE, Partitions.NONE, Map.of());

    MemberAssignment {
        assigned = Partitions.copyOf(assigned);
        pendingRevocation = Partitions.copyOf(pendingRevocation);
        assignmentEpochs = ownedOnly(assignmentEpochs, assigned, pendingRevocation);
    }

    /**
     * Every partition assigned at {@code memberEpoch}: how an assignment without assignment epochs is read (a
     * snapshot of version 1, as Kafka reads an assignment record written before KIP-1251).
     */
    MemberAssignment(
            int memberEpoch,
            int previousMemberEpoch,
            MemberState state,
            Map<Uuid, Set<Integer>> assigned,
            Map<Uuid, Set<Integer>> pendingRevocation) {
        this(
                memberEpoch,
                previousMemberEpoch,
                state,
                assigned,
                pendingRevocation,
                withEpoch(Math.max(memberEpoch, 0), assigned, pendingRevocation));
    }

    /** The member epoch at which the member was assigned this partition, or -1 if it does not own it. */
    int assignmentEpoch(Uuid topicId, int partition) {
        Map<Integer, Integer> byPartition = assignmentEpochs.get(topicId);
        Integer epoch = byPartition == null ? null : byPartition.get(partition);
        return epoch == null ? -1 : epoch;
    }

    /** {@code epochs} of the owned partitions; throws if one of them has none. */
    private static Map<Uuid, Map<Integer, Integer>> ownedOnly(
            Map<Uuid, Map<Integer, Integer>> epochs,
            Map<Uuid, Set<Integer>> assigned,
            Map<Uuid, Set<Integer>> pendingRevocation) {
        Map<Uuid, Map<Integer, Integer>> owned = new HashMap<>();
        for (Map<Uuid, Set<Integer>> partitions : List.of(assigned, pendingRevocation)) {
            partitions.forEach((topic, ids) -> {
                Map<Integer, Integer> known = epochs.getOrDefault(topic, Map.of());
                Map<Integer, Integer> byPartition = owned.computeIfAbsent(topic, t -> new HashMap<>());
                for (int p : ids) {
                    Integer epoch = known.get(p);
                    if (epoch == null) {
                        throw new IllegalArgumentException(
                                "no assignment epoch for owned partition " + topic + "-" + p);
                    }
                    byPartition.put(p, epoch);
                }
            });
        }
        owned.replaceAll((topic, byPartition) -> Collections.unmodifiableMap(byPartition));
        return Collections.unmodifiableMap(owned);
    }

    /** Every partition of {@code assigned} and {@code pendingRevocation} at {@code epoch}. */
    static Map<Uuid, Map<Integer, Integer>> withEpoch(
            int epoch, Map<Uuid, Set<Integer>> assigned, Map<Uuid, Set<Integer>> pendingRevocation) {
        Map<Uuid, Map<Integer, Integer>> epochs = new HashMap<>();
        for (Map<Uuid, Set<Integer>> partitions : List.of(assigned, pendingRevocation)) {
            partitions.forEach((topic, ids) -> ids.forEach(
                    p -> epochs.computeIfAbsent(topic, t -> new HashMap<>()).put(p, epoch)));
        }
        return epochs;
    }
}
