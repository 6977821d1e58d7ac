package io.piste.broker.metadata;

import java.util.List;

/**
 * One partition's replication state in a cluster (Kafka's PartitionRecord): its replicas in preference order, the
 * leader ({@code -1}: none), the leader epoch (up by one at each new leader), the partition epoch (up by one at
 * every change, so a change made against an older state is refused), the in-sync replicas and the eligible leader
 * replicas (KIP-966). The single node has none: its partitions are its own.
 */
public record PartitionImage(
        List<Integer> replicas, int leader, int leaderEpoch, int partitionEpoch, List<Integer> isr, List<Integer> elr) {

    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        elr = List.copyOf(elr);
    }

    /** A new partition's state: the first replica leads, every replica is in sync, epochs 0. */
    public static PartitionImage initial(List<Integer> replicas) {
        return new PartitionImage(replicas, replicas.get(0), 0, 0, replicas, List.of());
    }
}
