package io.piste.broker.metadata;

import java.util.List;

/**
 * The metadata quorum as DescribeQuorum reports it: the leader ({@code -1} while none is known), its epoch, the
 * high watermark (what is committed), and each voter's log end and when it last fetched and was last caught up (in
 * epoch milliseconds; {@code -1} where this node does not know); the same of each observer (a broker-only node that
 * fetches the metadata), whose quorum endpoint is null.
 */
public record QuorumDescription(
        int leaderId, int leaderEpoch, long highWatermark, List<Voter> voters, List<Voter> observers) {

    public QuorumDescription {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
    }

    /**
     * One voter's state, and where its quorum member listens ({@code null}: on this node's own listener, a single
     * node having no separate one).
     */
    public record Voter(
            int nodeId,
            long logEndOffset,
            long lastFetchTimestamp,
            long lastCaughtUpTimestamp,
            BrokerEndpoint quorumEndpoint) {}
}
