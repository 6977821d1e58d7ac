package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A partition's next state when brokers are fenced or come back: fenced replicas leave the ISR, except the last one
 * (so that it may lead again when it returns, without losing what only it has); the leader stays if it serves and
 * is in sync, else the first serving in-sync replica in preference order leads, else the first serving eligible
 * leader replica (KIP-966), else none ({@code -1}: clients get {@code LEADER_NOT_AVAILABLE}). Unclean election (an
 * out-of-sync replica) never happens. Stateless.
 */
final class PartitionElection {

    private PartitionElection() {}

    /** The partition's next state, or null if it keeps its state. */
    static PartitionImage next(PartitionImage current, MetadataImage image) {
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
        List<Integer> elr = new ArrayList<>(current.elr());
        for (int i = 0; leader == -1 && i < current.elr().size(); i++) {
            int candidate = current.elr().get(i);
            if (serves(image, candidate)) {
                leader = candidate;
                elr.remove(Integer.valueOf(candidate));
                isr = List.of(candidate);
            }
        }
        if (leader == current.leader() && isr.equals(current.isr()) && elr.equals(current.elr())) {
            return null;
        }
        return current.withLeaderAndIsr(leader, isr, elr); // a reassignment under way goes on
    }

    private static boolean serves(MetadataImage image, int nodeId) {
        BrokerImage broker = image.broker(nodeId);
        return broker != null && !broker.fenced();
    }
}
