package io.piste.cluster.controller;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * What an ElectLeaders request (or the automatic rebalance) makes of one partition: its next state, or the error
 * that says why there is none, as Kafka's controller decides. Preferred: the first replica leads if it serves and
 * is in sync. Unclean: a partition without a leader gets one of its serving in-sync or eligible replicas if any
 * (the election the controller would make anyway), else its first serving replica, alone in sync.
 */
record RequestedElection(PartitionImage next, ApiError error) {

    static RequestedElection of(ElectionType type, TopicPartition name, PartitionImage current, MetadataImage image) {
        return type == ElectionType.UNCLEAN ? unclean(name, current, image) : preferred(name, current, image);
    }

    static RequestedElection preferred(TopicPartition name, PartitionImage current, MetadataImage image) {
        int preferred = current.replicas().get(0);
        if (current.leader() == preferred) {
            return failed(new ApiError(Errors.ELECTION_NOT_NEEDED));
        }
        if (!current.isr().contains(preferred) || !PartitionElection.serves(image, preferred)) {
            return failed(new ApiError(
                    Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                    "The preferred replica " + preferred + " of " + name + " is not "
                            + (current.isr().contains(preferred) ? "serving" : "in sync")));
        }
        return new RequestedElection(current.withLeaderAndIsr(preferred, current.isr(), current.elr()), ApiError.NONE);
    }

    static RequestedElection unclean(TopicPartition name, PartitionImage current, MetadataImage image) {
        if (current.leader() != -1) {
            return failed(new ApiError(Errors.ELECTION_NOT_NEEDED));
        }
        // The topic's min.insync.replicas is not at hand here: every replica leaving the ISR stays eligible, and the
        // new leader's next ISR change sets the eligible replicas by the topic's own value.
        PartitionImage next =
                PartitionElection.next(current, image, true, current.replicas().size());
        if (next == null || next.leader() == -1) {
            return failed(new ApiError(
                    Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "No replica of " + name + " is serving: none can lead"));
        }
        return new RequestedElection(next, ApiError.NONE);
    }

    private static RequestedElection failed(ApiError error) {
        return new RequestedElection(null, error);
    }
}
