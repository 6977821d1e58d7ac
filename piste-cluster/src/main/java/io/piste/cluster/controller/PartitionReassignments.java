package io.piste.cluster.controller;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.MetadataRecordCodec;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.PartitionReassignment;
import io.piste.broker.metadata.TopicImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AlterPartitionReassignments on a cluster's controller: checks each partition's target as Kafka does (registered
 * brokers, each once, at least one), computes its next state ({@link ReassignmentStates}) against the latest image,
 * and proposes the changes in batches of at most the records one change may hold. A batch refused because another
 * change of one of its partitions came first (an ISR change, an election) is computed again against the newer image,
 * a few times. A partition named twice in one request is refused both times: which target was meant is unknown.
 */
final class PartitionReassignments {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionReassignments.class);

    /** A batch refused as made against an older image is computed and proposed again, this often. */
    static final int ATTEMPTS = 5;

    /** The most replicas a partition may have while it moves: the old and the new ones together. */
    static final int MAX_REPLICAS = 64;

    /** The latest image, and the quorum that takes a change: the {@link QuorumController}'s. */
    interface Quorum {
        MetadataImage latest() throws IOException;

        MetadataImage propose(List<MetadataRecord> change) throws IOException;
    }

    private final Quorum quorum;

    PartitionReassignments(Quorum quorum) {
        this.quorum = quorum;
    }

    /** Each reassignment's answer, in order. */
    List<ApiError> alter(List<PartitionReassignment> reassignments, boolean allowReplicationFactorChange)
            throws IOException {
        List<ApiError> answers = new ArrayList<>(reassignments.size());
        Set<TopicPartition> duplicated = duplicates(reassignments);
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < reassignments.size(); i++) {
            PartitionReassignment r = reassignments.get(i);
            boolean twice = duplicated.contains(new TopicPartition(r.topic(), r.partition()));
            answers.add(
                    twice
                            ? ApiError.fromThrowable(new InvalidRequestException("Partition " + r.topic() + ":"
                                    + r.partition() + " appears more than once in the request."))
                            : ApiError.NONE);
            if (!twice) {
                pending.add(i);
            }
        }
        for (int from = 0; from < pending.size(); from += MetadataRecordCodec.MAX_CHANGE_RECORDS) {
            List<Integer> batch =
                    pending.subList(from, Math.min(pending.size(), from + MetadataRecordCodec.MAX_CHANGE_RECORDS));
            proposeBatch(reassignments, batch, allowReplicationFactorChange, answers);
        }
        return answers;
    }

    private void proposeBatch(
            List<PartitionReassignment> reassignments,
            List<Integer> batch,
            boolean allowReplicationFactorChange,
            List<ApiError> answers)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            MetadataImage image = quorum.latest();
            List<MetadataRecord> change = new ArrayList<>();
            List<Integer> changed = new ArrayList<>();
            for (int i : batch) {
                try {
                    MetadataRecord.PartitionState next =
                            nextState(image, reassignments.get(i), allowReplicationFactorChange);
                    if (next != null) {
                        change.add(next);
                        changed.add(i);
                    }
                    answers.set(i, ApiError.NONE);
                } catch (ApiException e) {
                    answers.set(i, ApiError.fromThrowable(e));
                }
            }
            if (change.isEmpty()) {
                return;
            }
            try {
                quorum.propose(change);
                LOG.info("Reassignment changes made: {}", change);
                return;
            } catch (ApiException refused) {
                if (attempt == ATTEMPTS) {
                    changed.forEach(i -> answers.set(i, ApiError.fromThrowable(refused)));
                    return;
                }
            }
        }
    }

    /** The partition's next state, or null if it stays as it is. */
    private static MetadataRecord.PartitionState nextState(
            MetadataImage image, PartitionReassignment r, boolean allowReplicationFactorChange) {
        TopicImage topic = image.topic(r.topic());
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Unable to find a topic named " + r.topic() + ".");
        }
        List<PartitionImage> partitions = image.partitions(topic.topicId());
        if (r.partition() < 0 || r.partition() >= partitions.size()) {
            throw new UnknownTopicOrPartitionException(
                    "Unable to find partition " + r.topic() + ":" + r.partition() + ".");
        }
        PartitionImage current = partitions.get(r.partition());
        PartitionImage next;
        if (r.isCancel()) {
            next = ReassignmentStates.cancel(current, image);
        } else {
            checkTarget(image, current, r.targetReplicas(), allowReplicationFactorChange);
            next = ReassignmentStates.start(current, r.targetReplicas(), image);
        }
        return next == null ? null : new MetadataRecord.PartitionState(topic.topicId(), r.partition(), next);
    }

    /**
     * Kafka's checks of a manual assignment: at least one replica, each a registered broker (fenced or not), none
     * twice; and, without {@code allowReplicationFactorChange}, as many as the partition has (before any
     * reassignment under way).
     */
    static void checkTarget(
            MetadataImage image, PartitionImage current, List<Integer> target, boolean allowReplicationFactorChange) {
        if (target.isEmpty()) {
            throw new InvalidReplicaAssignmentException(
                    "The manual partition assignment includes an empty replica list.");
        }
        if (target.size() > MAX_REPLICAS) {
            throw new InvalidReplicaAssignmentException("The manual partition assignment includes " + target.size()
                    + " replicas, more than " + MAX_REPLICAS + ".");
        }
        Set<Integer> seen = new HashSet<>();
        for (int broker : target) {
            if (image.broker(broker) == null) {
                throw new InvalidReplicaAssignmentException("The manual partition assignment includes broker " + broker
                        + ", but no such broker is registered.");
            }
            if (!seen.add(broker)) {
                throw new InvalidReplicaAssignmentException(
                        "The manual partition assignment includes the broker " + broker + " more than once.");
            }
        }
        Set<Integer> all = new HashSet<>(current.replicas());
        all.addAll(target);
        if (all.size() > MAX_REPLICAS) {
            throw new InvalidReplicaAssignmentException("The partition would have " + all.size()
                    + " replicas while it moves, more than " + MAX_REPLICAS + ".");
        }
        int original = current.replicas().size() - current.addingReplicas().size();
        if (!allowReplicationFactorChange && target.size() != original) {
            throw new InvalidReplicationFactorException("The replication factor is changed from " + original + " to "
                    + target.size() + ", which AllowReplicationFactorChange=false forbids.");
        }
    }

    private static Set<TopicPartition> duplicates(List<PartitionReassignment> reassignments) {
        Map<TopicPartition, Integer> counts = new HashMap<>();
        for (PartitionReassignment r : reassignments) {
            counts.merge(new TopicPartition(r.topic(), r.partition()), 1, Integer::sum);
        }
        Set<TopicPartition> twice = new HashSet<>();
        counts.forEach((tp, n) -> {
            if (n > 1) {
                twice.add(tp);
            }
        });
        return twice;
    }
}
