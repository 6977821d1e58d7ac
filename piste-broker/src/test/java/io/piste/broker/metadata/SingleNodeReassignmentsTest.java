package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A single node's answers to AlterPartitionReassignments: its own broker is the only target there is. */
class SingleNodeReassignmentsTest {

    @TempDir
    Path dir;

    @Test
    void shouldTakeOnlyItselfAsTargetAndHaveNothingToCancel() throws IOException {
        try (LocalController controller = LocalController.open(dir, 7)) {
            controller.createTopic("orders", 2, Map.of());
            List<ApiError> answers = controller.alterPartitionReassignments(
                    List.of(
                            new PartitionReassignment("orders", 1, List.of(7)),
                            new PartitionReassignment("orders", 0, List.of(7, 8)),
                            new PartitionReassignment("orders", 0, List.of(1)),
                            new PartitionReassignment("orders", 0, null),
                            new PartitionReassignment("orders", 2, List.of(7)),
                            new PartitionReassignment("missing", 0, List.of(7))),
                    true);
            assertThat(answers)
                    .extracting(ApiError::error)
                    .containsExactly(
                            Errors.NONE,
                            Errors.INVALID_REPLICA_ASSIGNMENT,
                            Errors.INVALID_REPLICA_ASSIGNMENT,
                            Errors.NO_REASSIGNMENT_IN_PROGRESS,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(controller
                            .image()
                            .partitions(controller.image().topic("orders").topicId()))
                    .isEmpty();
        }
    }
}
