package io.piste.cluster.quorum;

import java.util.Map;

/**
 * The quorum as one node sees it, what DescribeQuorum reports: the leader ({@code -1} while none is known), the
 * current term (Kafka's epoch), the highest committed index (the high watermark), this node's last applied index,
 * and, on the leader only, each follower's highest replicated index and the milliseconds since it last answered.
 */
public record QuorumStatus(
        int nodeId,
        int leaderId,
        long term,
        long committedIndex,
        long appliedIndex,
        Map<Integer, Long> followerMatchIndex,
        Map<Integer, Long> followerLastContactMs) {

    public QuorumStatus {
        followerMatchIndex = Map.copyOf(followerMatchIndex);
        followerLastContactMs = Map.copyOf(followerLastContactMs);
    }

    public boolean isLeader() {
        return leaderId == nodeId;
    }
}
