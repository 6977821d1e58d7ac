package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;

/**
 * A partition's states through a reassignment (KIP-455). Started: the replicas become the target followed by the
 * current replicas it drops; those it adds are {@code adding}, those it drops {@code removing}; leader and ISR stay.
 * The added replicas fetch as followers and join the ISR; once every target replica is in sync the reassignment
 * completes in the same change (or, if no target replica could lead then, at the active controller's next round after
 * one serves again): replicas the target, the ISR without the removed ones, a new leader (leader epoch up
 * by one) if the leader was removed. Cancelled: back to the replicas before it (those it was adding leave the
 * replicas and the ISR). Stateless.
 */
final class ReassignmentStates {

    private ReassignmentStates() {}

    /**
     * The state that starts moving {@code current} to {@code target} (completed at once if the ISR allows), or null if
     * nothing changes. A target with the current replicas in another order only reorders them; a reassignment under
     * way is replaced, counted from the replicas it has now.
     */
    static PartitionImage start(PartitionImage current, List<Integer> target, MetadataImage image) {
        if (current.isReassigning() && target.equals(minus(current.replicas(), current.addingReplicas()))) {
            return cancel(current, image); // back to where it was: the replicas it is removing stay
        }
        if ((!current.isReassigning() && target.equals(current.replicas()))
                || (current.isReassigning() && target.equals(targetOf(current)))) {
            return null; // already there, or already on its way there
        }
        if (target.size() == current.replicas().size() && target.containsAll(current.replicas())) {
            return new PartitionImage(
                    target,
                    current.leader(),
                    current.leaderEpoch(),
                    current.partitionEpoch() + 1,
                    current.isr(),
                    current.elr(),
                    current.addingReplicas(),
                    current.removingReplicas());
        }
        List<Integer> removing = minus(current.replicas(), target);
        List<Integer> adding = minus(target, current.replicas());
        List<Integer> replicas = new ArrayList<>(target);
        replicas.addAll(removing);
        PartitionImage started = new PartitionImage(
                replicas,
                current.leader(),
                current.leaderEpoch(),
                current.partitionEpoch() + 1,
                current.isr(),
                current.elr().stream().filter(replicas::contains).toList(),
                adding,
                removing);
        PartitionImage completed = completeIfInSync(started, image);
        return completed != null ? completed : started;
    }

    /**
     * {@code next} (a state about to be proposed: an ISR change, or a started reassignment) with its reassignment
     * completed if every target replica is in its ISR; else null. Completion keeps the partition epoch of
     * {@code next}: it is part of the same change.
     */
    static PartitionImage completeIfInSync(PartitionImage next, MetadataImage image) {
        if (!next.isReassigning()) {
            return null;
        }
        List<Integer> target = targetOf(next);
        List<Integer> isr = minus(next.isr(), next.removingReplicas());
        if (target.isEmpty() || isr.isEmpty() || !isr.containsAll(target)) {
            return null;
        }
        int leader = target.contains(next.leader()) ? next.leader() : firstServing(target, isr, image);
        if (leader == -1) {
            return null; // no target replica could lead yet: the removed leader keeps leading meanwhile
        }
        return new PartitionImage(
                target,
                leader,
                next.leaderEpoch() + (leader == next.leader() ? 0 : 1),
                next.partitionEpoch(),
                isr,
                next.elr().stream().filter(target::contains).toList(),
                List.of(),
                List.of());
    }

    /**
     * The change that completes {@code current}'s reassignment on its own, for the active controller's rounds: every
     * target replica was in sync already but none could lead when the last one came in (all fenced), and one serves
     * again, which is no ISR change. Partition epoch up by one; null if it cannot complete yet.
     */
    static PartitionImage completion(PartitionImage current, MetadataImage image) {
        if (!current.isReassigning()) {
            return null;
        }
        return completeIfInSync(current.withLeaderAndIsr(current.leader(), current.isr(), current.elr()), image);
    }

    /** The replicas a reassignment under way moves {@code state} to. */
    static List<Integer> targetOf(PartitionImage state) {
        return minus(state.replicas(), state.removingReplicas());
    }

    /** {@code next} with its reassignment completed if it can be, else {@code next} itself. */
    static PartitionImage withCompletion(PartitionImage next, MetadataImage image) {
        PartitionImage completed = completeIfInSync(next, image);
        return completed != null ? completed : next;
    }

    /**
     * The state back before the reassignment under way: the replicas without those it adds, the ISR too; the leader
     * stays unless it was one added, then the first serving in-sync original replica leads.
     *
     * @throws NoReassignmentInProgressException if none is under way
     * @throws InvalidReplicaAssignmentException if only added replicas are in sync: going back would take an unclean
     *     election, which Piste never makes
     */
    static PartitionImage cancel(PartitionImage current, MetadataImage image) {
        if (!current.isReassigning()) {
            throw new NoReassignmentInProgressException("No partition reassignment is in progress.");
        }
        List<Integer> replicas = minus(current.replicas(), current.addingReplicas());
        List<Integer> isr = minus(current.isr(), current.addingReplicas());
        if (isr.isEmpty()) {
            throw new InvalidReplicaAssignmentException("Unable to revert the partition assignment: only replicas "
                    + current.addingReplicas() + " it was adding are in sync, and going back would require an "
                    + "unclean leader election.");
        }
        int leader = replicas.contains(current.leader()) ? current.leader() : firstServing(replicas, isr, image);
        return new PartitionImage(
                replicas,
                leader,
                current.leaderEpoch() + (leader == current.leader() ? 0 : 1),
                current.partitionEpoch() + 1,
                isr,
                current.elr().stream().filter(replicas::contains).toList(),
                List.of(),
                List.of());
    }

    /** The first replica in preference order that is in sync and serves; -1 if none (no leader until one is back). */
    private static int firstServing(List<Integer> replicas, List<Integer> isr, MetadataImage image) {
        for (int replica : replicas) {
            BrokerImage broker = image.broker(replica);
            if (isr.contains(replica) && broker != null && !broker.fenced()) {
                return replica;
            }
        }
        return -1;
    }

    private static List<Integer> minus(List<Integer> from, List<Integer> taken) {
        List<Integer> rest = new ArrayList<>(from);
        rest.removeAll(taken);
        return rest;
    }
}
