package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.QuorumNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ElectLeaders through the quorum: preferred and unclean elections, with their per-partition errors. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeaderElectionsTest {
    private static final long TIMEOUT_MS = 30_000;
    private static final ElectionSettings NO_REBALANCE =
            new ElectionSettings(false, Duration.ofSeconds(1), 10, false, 1);

    @TempDir
    Path root;

    private static Set<TopicPartition> all(String topic, int partitions) {
        Set<TopicPartition> all = new LinkedHashSet<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(topic, p));
        }
        return all;
    }

    private static Errors error(Map<TopicPartition, ApiError> results, String topic, int partition) {
        return results.get(new TopicPartition(topic, partition)).error();
    }

    @Test
    void shouldElectThePreferredLeadersOfABrokerOnceItIsBackInSync() throws Exception {
        try (QuorumNodes<QuorumController> nodes = ElectionCluster.start(root, NO_REBALANCE)) {
            int lost = ElectionCluster.follower(nodes);
            TopicImage topic = nodes.node(lost).createTopic("triple", 6, 3, Map.of());
            ElectionCluster.stopAndFailOver(nodes, lost, topic);
            int other = lost % 3 + 1;

            // Away: its partitions cannot go back to it.
            Map<TopicPartition, ApiError> away =
                    nodes.node(other).electLeaders(ElectionType.PREFERRED, all("triple", 6), TIMEOUT_MS);
            List<PartitionImage> before = nodes.node(other).image().partitions(topic.topicId());
            for (int p = 0; p < 6; p++) {
                assertThat(error(away, "triple", p))
                        .isEqualTo(
                                before.get(p).replicas().get(0) == lost
                                        ? Errors.PREFERRED_LEADER_NOT_AVAILABLE
                                        : Errors.ELECTION_NOT_NEEDED);
            }

            ElectionCluster.returnInSync(nodes, lost, topic);
            // A request whose timeout passed before its elections were proposed: none made, each one told so.
            List<PartitionImage> inSync =
                    nodes.node(other).quorum().latestImage().partitions(topic.topicId());
            Map<TopicPartition, ApiError> late =
                    nodes.node(other).electLeaders(ElectionType.PREFERRED, all("triple", 6), 0);
            for (int p = 0; p < 6; p++) {
                assertThat(error(late, "triple", p))
                        .isEqualTo(
                                before.get(p).replicas().get(0) == lost
                                        ? Errors.REQUEST_TIMED_OUT
                                        : Errors.ELECTION_NOT_NEEDED);
            }
            assertThat(nodes.node(other).quorum().latestImage().partitions(topic.topicId()))
                    .isEqualTo(inSync);
            Map<TopicPartition, ApiError> back =
                    nodes.node(other).electLeaders(ElectionType.PREFERRED, all("triple", 6), TIMEOUT_MS);

            List<PartitionImage> after = nodes.node(other).image().partitions(topic.topicId());
            for (int p = 0; p < 6; p++) {
                PartitionImage partition = after.get(p);
                assertThat(partition.leader()).isEqualTo(partition.replicas().get(0));
                if (partition.replicas().get(0) == lost) {
                    assertThat(error(back, "triple", p)).isEqualTo(Errors.NONE);
                    assertThat(partition.leaderEpoch()).isEqualTo(before.get(p).leaderEpoch() + 1);
                } else {
                    assertThat(error(back, "triple", p)).isEqualTo(Errors.ELECTION_NOT_NEEDED);
                }
            }
            nodes.awaitImages(i -> i.partitions(topic.topicId()).equals(after), "every node sees the elected leaders");
        }
    }

    @Test
    void shouldAnswerEachPartitionOfAHostileRequestAlone() throws Exception {
        try (QuorumNodes<QuorumController> nodes = ElectionCluster.start(root, NO_REBALANCE)) {
            nodes.node(1).createTopic("t", 2, 3, Map.of());
            Set<TopicPartition> asked = new LinkedHashSet<>(List.of(
                    new TopicPartition("t", 0),
                    new TopicPartition("t", -1),
                    new TopicPartition("t", 2),
                    new TopicPartition("t", Integer.MAX_VALUE),
                    new TopicPartition("unknown", 0)));
            for (int p = 3; p < 20_000; p++) {
                asked.add(new TopicPartition("unknown", p));
            }

            Map<TopicPartition, ApiError> results =
                    nodes.node(2).electLeaders(ElectionType.PREFERRED, asked, TIMEOUT_MS);

            assertThat(results).hasSize(asked.size());
            assertThat(error(results, "t", 0)).isEqualTo(Errors.ELECTION_NOT_NEEDED);
            for (TopicPartition partition : asked) {
                if (!partition.equals(new TopicPartition("t", 0))) {
                    assertThat(results.get(partition).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
                }
            }
            // All partitions: every one, none needing an election.
            Map<TopicPartition, ApiError> everything =
                    nodes.node(3).electLeaders(ElectionType.UNCLEAN, null, TIMEOUT_MS);
            assertThat(everything.keySet()).containsExactly(new TopicPartition("t", 0), new TopicPartition("t", 1));
            assertThat(everything.values()).allMatch(e -> e.error() == Errors.ELECTION_NOT_NEEDED);
        }
    }

    @Test
    void shouldElectAnOutOfSyncReplicaOnlyWhenAskedForAnUncleanElection() throws Exception {
        try (QuorumNodes<QuorumController> nodes = ElectionCluster.start(root, NO_REBALANCE)) {
            int lost = ElectionCluster.follower(nodes);
            int other = lost % 3 + 1;
            TopicImage triple = nodes.node(other).createTopic("triple", 1, 3, Map.of());
            TopicImage single = nodes.node(other).createTopic("single", 3, 1, Map.of());
            shrinkIsrToLeader(nodes.node(other), triple, lost);

            nodes.stop(lost);
            nodes.awaitImages(i -> i.partitions(triple.topicId()).get(0).leader() == -1, "triple-0 without leader");
            Set<TopicPartition> asked = new LinkedHashSet<>(all("triple", 1));
            asked.addAll(all("single", 3));
            Map<TopicPartition, ApiError> preferred =
                    nodes.node(other).electLeaders(ElectionType.PREFERRED, asked, TIMEOUT_MS);
            assertThat(error(preferred, "triple", 0)).isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);

            Map<TopicPartition, ApiError> unclean =
                    nodes.node(other).electLeaders(ElectionType.UNCLEAN, asked, TIMEOUT_MS);

            PartitionImage elected =
                    nodes.node(other).image().partitions(triple.topicId()).get(0);
            assertThat(error(unclean, "triple", 0)).isEqualTo(Errors.NONE);
            assertThat(elected.leader()).isNotEqualTo(lost).isNotEqualTo(-1);
            assertThat(elected.isr()).containsExactly(elected.leader());
            assertThat(elected.elr()).isEmpty();
            List<PartitionImage> singles = nodes.node(other).image().partitions(single.topicId());
            for (int p = 0; p < 3; p++) {
                assertThat(error(unclean, "single", p))
                        .isEqualTo(
                                singles.get(p).replicas().get(0) == lost
                                        ? Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE
                                        : Errors.ELECTION_NOT_NEEDED);
            }
        }
    }

    @Test
    void shouldFailOverToAnOutOfSyncReplicaWhereTheTopicAllowsUncleanElection() throws Exception {
        try (QuorumNodes<QuorumController> nodes = ElectionCluster.start(root, NO_REBALANCE)) {
            int lost = ElectionCluster.follower(nodes);
            int other = lost % 3 + 1;
            TopicImage clean = nodes.node(other).createTopic("clean", 1, 3, Map.of());
            TopicImage unclean =
                    nodes.node(other).createTopic("unclean", 1, 3, Map.of("unclean.leader.election.enable", "true"));
            shrinkIsrToLeader(nodes.node(other), clean, lost);
            shrinkIsrToLeader(nodes.node(other), unclean, lost);

            nodes.stop(lost);

            nodes.awaitImages(
                    i -> i.partitions(unclean.topicId()).get(0).leader() > 0
                            && i.partitions(unclean.topicId()).get(0).leader() != lost,
                    "unclean-0 led by a serving, out-of-sync replica");
            assertThat(nodes.node(other)
                            .image()
                            .partitions(clean.topicId())
                            .get(0)
                            .leader())
                    .isEqualTo(-1);
        }
    }

    /** Makes {@code leader} the partition's leader, alone in sync (its followers lagged). */
    private static void shrinkIsrToLeader(QuorumController controller, TopicImage topic, int leader) throws Exception {
        PartitionImage current = controller.image().partitions(topic.topicId()).get(0);
        PartitionImage next = new PartitionImage(
                current.replicas(),
                leader,
                current.leaderEpoch() + (leader == current.leader() ? 0 : 1),
                current.partitionEpoch() + 1,
                List.of(leader),
                List.of());
        controller.changePartition(topic.topicId(), 0, next);
    }
}
