package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.PartitionReassignment;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.QuorumNodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * AlterPartitionReassignments through three controllers on one quorum on loopback: a reassignment made through one
 * node reaches every image, the leader's ISR change completes it, a cancellation reverts it; and each partition of a
 * request gets Kafka's error when its target does not fit, the others going ahead.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PartitionReassignmentsTest {

    @TempDir
    Path root;

    /** Three serving brokers, nodes 1 to 3, and a topic "orders" of 2 partitions on brokers 1 and 2. */
    private QuorumNodes<QuorumController> cluster() throws Exception {
        QuorumNodes<QuorumController> nodes =
                new QuorumNodes<>(3, root, 1000, QuorumController::start, QuorumController::quorum).startAll();
        nodes.awaitLeader();
        for (int id = 1; id <= 3; id++) {
            nodes.node(id)
                    .registerBroker("", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9090 + id)));
            nodes.node(id).unfence();
        }
        TopicImage orders = nodes.node(1).createTopic("orders", 2, 2, Map.of());
        // Wherever placement put them, both partitions start on [1, 2]: a reassignment, completed at once or soon.
        for (int p = 0; p < 2; p++) {
            PartitionImage current =
                    nodes.node(1).image().partitions(orders.topicId()).get(p);
            if (!current.replicas().equals(List.of(1, 2))) {
                assertThat(nodes.node(1)
                                .alterPartitionReassignments(
                                        List.of(new PartitionReassignment("orders", p, List.of(1, 2))), true))
                        .containsExactly(ApiError.NONE);
                completeIfReassigning(nodes.node(1), orders, p);
            }
        }
        nodes.awaitImages(
                i -> i.partitions(orders.topicId()).stream()
                        .allMatch(s -> s.replicas().equals(List.of(1, 2)) && !s.isReassigning()),
                "orders on [1, 2]");
        return nodes;
    }

    @Test
    void shouldStartAReassignmentThenCompleteItWhenTheLeaderFindsTheNewReplicaInSync() throws Exception {
        try (QuorumNodes<QuorumController> nodes = cluster()) {
            TopicImage orders = nodes.node(2).image().topic("orders");
            // The target drops the leader (1 or 2, as placement had it) and adds 3.
            PartitionImage before =
                    nodes.node(2).image().partitions(orders.topicId()).get(0);
            int leader = before.leader();
            int staying = 3 - leader;
            List<ApiError> answers = nodes.node(2)
                    .alterPartitionReassignments(
                            List.of(new PartitionReassignment("orders", 0, List.of(staying, 3))), false);
            assertThat(answers).containsExactly(ApiError.NONE);

            nodes.awaitImages(i -> i.partitions(orders.topicId()).get(0).isReassigning(), "reassigning on all nodes");
            PartitionImage moving =
                    nodes.node(3).image().partitions(orders.topicId()).get(0);
            assertThat(moving.replicas()).containsExactly(staying, 3, leader);
            assertThat(moving.addingReplicas()).containsExactly(3);
            assertThat(moving.removingReplicas()).containsExactly(leader);
            assertThat(moving.leader())
                    .as("the leader stays while 3 catches up")
                    .isEqualTo(leader);

            // The leader finds 3 caught up and proposes it into the ISR, as its replica manager does.
            nodes.node(leader)
                    .changePartition(orders.topicId(), 0, moving.withLeaderAndIsr(leader, List.of(1, 2, 3), List.of()));
            nodes.awaitImages(i -> !i.partitions(orders.topicId()).get(0).isReassigning(), "completed on all nodes");
            PartitionImage done =
                    nodes.node(2).image().partitions(orders.topicId()).get(0);
            assertThat(done.replicas()).containsExactly(staying, 3);
            assertThat(done.isr()).containsExactlyInAnyOrder(staying, 3);
            assertThat(done.leader()).isEqualTo(staying);
            assertThat(done.leaderEpoch()).isGreaterThan(moving.leaderEpoch());
        }
    }

    @Test
    void shouldGrowTheReplicationFactorAndTakeTheSameTargetTwiceAsOne() throws Exception {
        try (QuorumNodes<QuorumController> nodes = cluster()) {
            TopicImage orders = nodes.node(1).image().topic("orders");
            List<PartitionReassignment> grow = List.of(new PartitionReassignment("orders", 1, List.of(1, 2, 3)));
            assertThat(nodes.node(2).alterPartitionReassignments(grow, true)).containsExactly(ApiError.NONE);
            PartitionImage moving =
                    nodes.node(2).image().partitions(orders.topicId()).get(1);
            assertThat(moving.addingReplicas()).containsExactly(3);
            // Asked again while under way: nothing changes, and that is no error.
            assertThat(nodes.node(3).alterPartitionReassignments(grow, true)).containsExactly(ApiError.NONE);
            assertThat(nodes.node(3).image().partitions(orders.topicId()).get(1))
                    .isEqualTo(moving);

            // Completing removes nothing: the replicas stay, the reassignment ends.
            nodes.node(moving.leader())
                    .changePartition(
                            orders.topicId(), 1, moving.withLeaderAndIsr(moving.leader(), List.of(1, 2, 3), List.of()));
            nodes.awaitImages(i -> !i.partitions(orders.topicId()).get(1).isReassigning(), "completed on all nodes");
            PartitionImage done =
                    nodes.node(1).image().partitions(orders.topicId()).get(1);
            assertThat(done.replicas()).containsExactly(1, 2, 3);
            assertThat(done.isr()).containsExactlyInAnyOrder(1, 2, 3);
        }
    }

    @Test
    void shouldCancelAReassignmentAndSayWhenThereIsNoneToCancel() throws Exception {
        try (QuorumNodes<QuorumController> nodes = cluster()) {
            TopicImage orders = nodes.node(1).image().topic("orders");
            PartitionImage before =
                    nodes.node(1).image().partitions(orders.topicId()).get(1);
            assertThat(nodes.node(3)
                            .alterPartitionReassignments(
                                    List.of(new PartitionReassignment("orders", 1, List.of(3, 1))), true))
                    .containsExactly(ApiError.NONE);

            List<ApiError> answers = nodes.node(3)
                    .alterPartitionReassignments(
                            List.of(
                                    new PartitionReassignment("orders", 1, null),
                                    new PartitionReassignment("orders", 0, null)),
                            true);
            assertThat(answers.get(0)).isEqualTo(ApiError.NONE);
            assertThat(answers.get(1).error()).isEqualTo(Errors.NO_REASSIGNMENT_IN_PROGRESS);

            nodes.awaitImages(i -> !i.partitions(orders.topicId()).get(1).isReassigning(), "cancelled everywhere");
            PartitionImage after =
                    nodes.node(2).image().partitions(orders.topicId()).get(1);
            assertThat(after.replicas()).isEqualTo(before.replicas());
            assertThat(after.isr()).containsExactlyInAnyOrderElementsOf(before.isr());
            assertThat(after.leader()).isEqualTo(before.leader());
        }
    }

    @Test
    void shouldAnswerEachPartitionWithKafkasErrorAndGoAheadWithTheOthers() throws Exception {
        try (QuorumNodes<QuorumController> nodes = cluster()) {
            List<Integer> tooMany = IntStream.rangeClosed(1, 65).boxed().toList();
            List<Integer> huge = new ArrayList<>(Collections.nCopies(100_000, 1));
            // One request per bad target of partition 0 (a partition named twice is refused as such), each with a
            // good one of partition 1 that must go ahead regardless.
            Map<PartitionReassignment, Errors> expected = new java.util.LinkedHashMap<>();
            expected.put(new PartitionReassignment("missing", 0, List.of(1)), Errors.UNKNOWN_TOPIC_OR_PARTITION);
            expected.put(new PartitionReassignment("orders", 7, List.of(1)), Errors.UNKNOWN_TOPIC_OR_PARTITION);
            expected.put(new PartitionReassignment("orders", -1, List.of(1)), Errors.UNKNOWN_TOPIC_OR_PARTITION);
            expected.put(new PartitionReassignment("orders", 0, List.of()), Errors.INVALID_REPLICA_ASSIGNMENT);
            expected.put(new PartitionReassignment("orders", 0, List.of(1, 1)), Errors.INVALID_REPLICA_ASSIGNMENT);
            expected.put(new PartitionReassignment("orders", 0, List.of(1, 4)), Errors.INVALID_REPLICA_ASSIGNMENT);
            expected.put(new PartitionReassignment("orders", 0, List.of(-1, 2)), Errors.INVALID_REPLICA_ASSIGNMENT);
            expected.put(new PartitionReassignment("orders", 0, tooMany), Errors.INVALID_REPLICA_ASSIGNMENT);
            expected.put(new PartitionReassignment("orders", 0, huge), Errors.INVALID_REPLICA_ASSIGNMENT);
            // AllowReplicationFactorChange=false
            expected.put(new PartitionReassignment("orders", 0, List.of(1, 2, 3)), Errors.INVALID_REPLICATION_FACTOR);
            List<Integer> partitionOneTarget = List.of(2, 3);
            for (Map.Entry<PartitionReassignment, Errors> bad : expected.entrySet()) {
                List<ApiError> answers = nodes.node(1)
                        .alterPartitionReassignments(
                                List.of(bad.getKey(), new PartitionReassignment("orders", 1, partitionOneTarget)),
                                false);
                assertThat(answers)
                        .extracting(ApiError::error)
                        .as(bad.getKey().topic() + "-" + bad.getKey().partition())
                        .containsExactly(bad.getValue(), Errors.NONE);
            }
            TopicImage orders = nodes.node(1).image().topic("orders");
            nodes.awaitImages(i -> i.partitions(orders.topicId()).get(1).isReassigning(), "the valid one started");
            assertThat(nodes.node(1).image().partitions(orders.topicId()).get(0).replicas())
                    .containsExactly(1, 2);

            // With the replication factor free to change, three replicas are fine.
            assertThat(nodes.node(1)
                            .alterPartitionReassignments(
                                    List.of(new PartitionReassignment("orders", 0, List.of(1, 2, 3))), true))
                    .containsExactly(ApiError.NONE);
        }
    }

    @Test
    void shouldRefuseAPartitionNamedTwiceInOneRequest() throws Exception {
        try (QuorumNodes<QuorumController> nodes = cluster()) {
            List<ApiError> answers = nodes.node(2)
                    .alterPartitionReassignments(
                            List.of(
                                    new PartitionReassignment("orders", 0, List.of(2, 3)),
                                    new PartitionReassignment("orders", 1, List.of(2, 3)),
                                    new PartitionReassignment("orders", 0, List.of(1, 3))),
                            true);
            assertThat(answers)
                    .extracting(ApiError::error)
                    .containsExactly(Errors.INVALID_REQUEST, Errors.NONE, Errors.INVALID_REQUEST);
            TopicImage orders = nodes.node(2).image().topic("orders");
            assertThat(nodes.node(2).image().partitions(orders.topicId()).get(0).replicas())
                    .containsExactly(1, 2);
        }
    }

    /** Brings every target replica of partition {@code p} in sync, as its leader would once they caught up. */
    private static void completeIfReassigning(QuorumController controller, TopicImage topic, int p) throws Exception {
        PartitionImage current = controller.image().partitions(topic.topicId()).get(p);
        if (current.isReassigning()) {
            controller.changePartition(
                    topic.topicId(), p, current.withLeaderAndIsr(current.leader(), current.replicas(), List.of()));
        }
    }
}
