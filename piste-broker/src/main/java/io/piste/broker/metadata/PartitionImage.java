package io.piste.broker.metadata;

import java.util.List;

/**
 * One partition's replication state in a cluster (Kafka's PartitionRecord): its replicas in preference order, the
 * leader ({@code -1}: none), the leader epoch (up by one at each new leader), the partition epoch (up by one at
 * every change, so a change made against an older state is refused), the in-sync replicas, the eligible leader
 * replicas (KIP-966), and, while a reassignment moves it (KIP-455), the replicas it adds and those it removes (both
 * among the replicas; empty otherwise). The single node has none: its partitions are its own.
 */
public record PartitionImage(
        List<Integer> replicas,
        int leader,
        int leaderEpoch,
        int partitionEpoch,
        List<Integer> isr,
        List<Integer> elr,
        List<Integer> addingReplicas,
        List<Integer> removingReplicas) {

    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        elr = List.copyOf(elr);
        addingReplicas = List.copyOf(addingReplicas);
        removingReplicas = List.copyOf(removingReplicas);
    }

    /** A partition no reassignment moves. */
    public PartitionImage(
            List<Integer> replicas,
            int leader,
            int leaderEpoch,
            int partitionEpoch,
            List<Integer> isr,
            List<Integer> elr) {
        this(replicas, leader, leaderEpoch, partitionEpoch, isr, elr, List.of(), List.of());
    }

    /** A new partition's state: the first replica leads, every replica is in sync, epochs 0. */
    public static PartitionImage initial(List<Integer> replicas) {
        return new PartitionImage(replicas, replicas.get(0), 0, 0, replicas, List.of());
    }

    /** Whether a reassignment is moving the partition: it adds or removes replicas. */
    public boolean isReassigning() {
        return !addingReplicas.isEmpty() || !removingReplicas.isEmpty();
    }

    /**
     * The next state with another leader, ISR and ELR, the replicas and any reassignment kept (an ISR change or an
     * election): partition epoch up by one, leader epoch up by one if the leader changes.
     */
    public PartitionImage withLeaderAndIsr(int newLeader, List<Integer> newIsr, List<Integer> newElr) {
        return new PartitionImage(
                replicas,
                newLeader,
                leaderEpoch + (newLeader == leader ? 0 : 1),
                partitionEpoch + 1,
                newIsr,
                newElr,
                addingReplicas,
                removingReplicas);
    }
}
