package io.piste.broker.metadata;

import java.util.List;

/**
 * One partition of an AlterPartitionReassignments request (KIP-455): move {@code topic}'s partition
 * {@code partition} to {@code targetReplicas}, in preference order, or, if that is null, cancel the reassignment
 * under way.
 */
public record PartitionReassignment(String topic, int partition, List<Integer> targetReplicas) {

    public PartitionReassignment {
        targetReplicas = targetReplicas == null ? null : List.copyOf(targetReplicas);
    }

    /** Whether this asks to cancel the partition's reassignment rather than start one. */
    public boolean isCancel() {
        return targetReplicas == null;
    }
}
