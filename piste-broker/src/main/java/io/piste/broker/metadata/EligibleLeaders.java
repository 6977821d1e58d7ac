package io.piste.broker.metadata;

import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's eligible leader replicas (KIP-966): replicas out of the ISR that still hold everything below the high
 * watermark, so that one may lead when no in-sync replica can. That holds because a leader whose ISR is smaller than
 * {@code min.insync.replicas} does not move its high watermark (the strict min-ISR rule): a replica that leaves such
 * an ISR already has all that is committed, and nothing is committed without it until the ISR grows back. While the
 * ISR has {@code min.insync.replicas} members the ELR is empty. Piste's followers fsync before they report an offset,
 * so an eligible replica keeps that data through a crash, where Kafka drops one that shut down uncleanly. Stateless.
 */
public final class EligibleLeaders {

    private EligibleLeaders() {}

    /**
     * The ELR to go with {@code isr} replacing {@code current}'s ISR: empty if {@code isr} reaches
     * {@code minInsyncReplicas} (or every replica, for a topic with fewer replicas than that), else the current ELR
     * with the replicas that leave the ISR added and those that join it removed.
     */
    public static List<Integer> after(PartitionImage current, List<Integer> isr, int minInsyncReplicas) {
        if (isr.size() >= effectiveMinIsr(current, minInsyncReplicas)) {
            return List.of();
        }
        List<Integer> elr = new ArrayList<>();
        for (int replica : current.elr()) {
            if (!isr.contains(replica) && current.replicas().contains(replica)) {
                elr.add(replica);
            }
        }
        for (int replica : current.isr()) {
            if (!isr.contains(replica)
                    && !elr.contains(replica)
                    && current.replicas().contains(replica)) {
                elr.add(replica);
            }
        }
        return elr;
    }

    /** {@code minInsyncReplicas}, or the replica count when that is smaller (an ISR can never be larger). */
    public static int effectiveMinIsr(PartitionImage state, int minInsyncReplicas) {
        return Math.max(1, Math.min(minInsyncReplicas, state.replicas().size()));
    }
}
