package io.piste.broker.metadata;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.requests.ApiError;

/**
 * Partition reassignments on a single node: its own broker is the only one, so the one target a partition may have
 * is that node alone (already the case: nothing to do), and no reassignment is ever under way to cancel. Stateless.
 */
final class SingleNodeReassignments {

    private SingleNodeReassignments() {}

    /** Each reassignment's answer, in order. */
    static List<ApiError> answer(MetadataImage image, int self, List<PartitionReassignment> reassignments) {
        List<ApiError> answers = new ArrayList<>(reassignments.size());
        for (PartitionReassignment r : reassignments) {
            answers.add(answer(image, self, r));
        }
        return answers;
    }

    private static ApiError answer(MetadataImage image, int self, PartitionReassignment r) {
        TopicImage topic = image.topic(r.topic());
        if (topic == null || r.partition() < 0 || r.partition() >= topic.partitionCount()) {
            return ApiError.fromThrowable(new UnknownTopicOrPartitionException(
                    "Unable to find partition " + r.topic() + ":" + r.partition() + "."));
        }
        if (r.isCancel()) {
            return ApiError.fromThrowable(new NoReassignmentInProgressException(
                    "No reassignment of " + r.topic() + ":" + r.partition() + " is in progress."));
        }
        if (!r.targetReplicas().equals(List.of(self))) {
            return ApiError.fromThrowable(new InvalidReplicaAssignmentException("The manual partition assignment "
                    + r.targetReplicas() + " names brokers other than " + self + ", the only one registered."));
        }
        return ApiError.NONE;
    }
}
