package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.EligibleLeaders;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A partition's next state when brokers are fenced or come back: fenced replicas leave the ISR, except the last one
 * (so that it may lead again when it returns, without losing what only it has), and become eligible leader replicas
 * if the ISR falls below the topic's {@code min.insync.replicas} (KIP-966, {@link EligibleLeaders}: the leader has
 * not moved its high watermark past what they hold since); the leader stays if it serves and
 * is in sync, else the first serving in-sync replica in preference order leads, else the first serving eligible
 * leader replica (KIP-966), else, if the topic allows unclean election, the first serving replica, alone in sync
 * (what it lacks of the last leader's records is lost), else none ({@code -1}: clients get
 * {@code LEADER_NOT_AVAILABLE}). Stateless.
 */
final class PartitionElection {

    private PartitionElection() {}

    /** The partition's next state, or null if it keeps its state; never an out-of-sync leader. */
    static PartitionImage next(PartitionImage current, MetadataImage image) {
        return next(current, image, false, 1);
    }

    /**
     * The partition's next state, or null if it keeps its state; with {@code uncleanAllowed} (the topic's {@code
     * unclean.leader.election.enable}) an out-of-sync serving replica leads when no in-sync or eligible one serves.
     */
    static PartitionImage next(
            PartitionImage current, MetadataImage image, boolean uncleanAllowed, int minInsyncReplicas) {
        PartitionImage clean = clean(current, image, minInsyncReplicas);
        if (uncleanAllowed && (clean == null ? current : clean).leader() == -1) {
            PartitionImage unclean = uncleanly(current, image);
            if (unclean != null) {
                return unclean;
            }
        }
        return clean;
    }

    /**
     * Kafka's unclean election: the first serving replica in preference order leads, the only one in sync, and the
     * eligible leader replicas are cleared (their claim to hold every committed record no longer holds); null if no
     * replica serves.
     */
    static PartitionImage uncleanly(PartitionImage current, MetadataImage image) {
        for (int candidate : current.replicas()) {
            if (serves(image, candidate)) {
                return current.withLeaderAndIsr(candidate, List.of(candidate), List.of());
            }
        }
        return null;
    }

    private static PartitionImage clean(PartitionImage current, MetadataImage image, int minInsyncReplicas) {
        List<Integer> isr = new ArrayList<>();
        for (int replica : current.isr()) {
            if (serves(image, replica)) {
                isr.add(replica);
            }
        }
        if (isr.isEmpty()) {
            isr = current.isr(); // the last in-sync replicas stay, to lead again when they return
        }
        int leader = serves(image, current.leader()) && isr.contains(current.leader()) ? current.leader() : -1;
        for (int i = 0; leader == -1 && i < current.replicas().size(); i++) {
            int candidate = current.replicas().get(i);
            if (isr.contains(candidate) && serves(image, candidate)) {
                leader = candidate;
            }
        }
        List<Integer> elr = new ArrayList<>(EligibleLeaders.after(current, isr, minInsyncReplicas));
        for (int i = 0; leader == -1 && i < elr.size(); i++) {
            int candidate = elr.get(i);
            if (serves(image, candidate)) {
                leader = candidate;
                elr.remove(Integer.valueOf(candidate));
                for (int kept : isr) {
                    if (!elr.contains(kept)) {
                        elr.add(kept); // the last in-sync replicas, fenced: they still hold all that is committed
                    }
                }
                isr = List.of(candidate);
            }
        }
        if (leader == current.leader() && isr.equals(current.isr()) && elr.equals(current.elr())) {
            return null;
        }
        return current.withLeaderAndIsr(leader, isr, elr); // a reassignment under way goes on
    }

    static boolean serves(MetadataImage image, int nodeId) {
        BrokerImage broker = image.broker(nodeId);
        return broker != null && !broker.fenced();
    }
}
