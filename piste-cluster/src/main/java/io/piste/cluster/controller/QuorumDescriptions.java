package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.QuorumDescription;
import io.piste.cluster.quorum.QuorumStatus;
import io.piste.cluster.quorum.QuorumVoter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * DescribeQuorum's answer from the quorum as its leader sees it: each voter's replicated end and last contact, and
 * the broker-only nodes the leader feeds as Kafka's observers. Stateless.
 */
final class QuorumDescriptions {

    private QuorumDescriptions() {}

    static QuorumDescription of(QuorumStatus status, List<QuorumVoter> voterList, long now) {
        List<QuorumDescription.Voter> voters = new ArrayList<>();
        for (QuorumVoter voter : voterList) {
            // Kafka names the voters' CONTROLLER listeners: here, where each one's Ratis member listens
            BrokerEndpoint endpoint = new BrokerEndpoint("CONTROLLER", "PLAINTEXT", voter.host(), voter.port());
            if (voter.id() == status.nodeId()) {
                voters.add(new QuorumDescription.Voter(voter.id(), status.appliedIndex(), now, now, endpoint));
            } else {
                voters.add(replica(status, voter.id(), now, endpoint));
            }
        }
        List<QuorumDescription.Voter> observers = new ArrayList<>();
        for (int node : new TreeMap<>(status.followerLastContactMs()).keySet()) {
            if (voterList.stream().noneMatch(v -> v.id() == node)) {
                observers.add(replica(status, node, now, null));
            }
        }
        return new QuorumDescription(
                status.leaderId(), (int) status.term(), status.committedIndex(), voters, observers);
    }

    /** A follower's or observer's state from the leader's view; -1 where the leader does not know it. */
    private static QuorumDescription.Voter replica(QuorumStatus status, int node, long now, BrokerEndpoint endpoint) {
        Long matched = status.followerMatchIndex().get(node);
        Long silentMs = status.followerLastContactMs().get(node);
        if (matched == null || silentMs == null) {
            return new QuorumDescription.Voter(node, -1, -1, -1, endpoint);
        }
        long caughtUp = matched >= status.committedIndex() ? now - silentMs : -1;
        return new QuorumDescription.Voter(node, matched, now - silentMs, caughtUp, endpoint);
    }
}
