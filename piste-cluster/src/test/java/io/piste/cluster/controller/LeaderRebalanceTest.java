package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.QuorumNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The automatic preferred leader rebalance of the active controller. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeaderRebalanceTest {

    @TempDir
    Path root;

    @Test
    void shouldMoveLeadershipBackToAReturnedBrokerEveryInterval() throws Exception {
        ElectionSettings every500ms = new ElectionSettings(true, Duration.ofMillis(500), 10, false, 1);
        try (QuorumNodes<QuorumController> nodes = ElectionCluster.start(root, every500ms)) {
            int lost = ElectionCluster.follower(nodes);
            TopicImage topic = nodes.node(lost).createTopic("triple", 6, 3, Map.of());
            ElectionCluster.stopAndFailOver(nodes, lost, topic);

            ElectionCluster.returnInSync(nodes, lost, topic);

            nodes.awaitImages(
                    i -> i.partitions(topic.topicId()).stream()
                            .allMatch(p -> p.leader() == p.replicas().get(0)),
                    "every partition led by its preferred replica again");
        }
    }

    @Test
    void shouldLeaveLeadershipWhereItIsWhenDisabled() throws Exception {
        ElectionSettings disabled = new ElectionSettings(false, Duration.ofMillis(500), 10, false, 1);
        try (QuorumNodes<QuorumController> nodes = ElectionCluster.start(root, disabled)) {
            int lost = ElectionCluster.follower(nodes);
            TopicImage topic = nodes.node(lost).createTopic("triple", 6, 3, Map.of());
            ElectionCluster.stopAndFailOver(nodes, lost, topic);

            ElectionCluster.returnInSync(nodes, lost, topic);
            Thread.sleep(2500); // five intervals

            List<PartitionImage> partitions = nodes.node(lost).image().partitions(topic.topicId());
            assertThat(partitions.stream().filter(p -> p.replicas().get(0) == lost))
                    .hasSize(2)
                    .allMatch(p -> p.leader() != lost && p.isr().contains(lost));
        }
    }

    @Test
    void shouldPickTheInSyncPartitionsOfBrokersAboveTheImbalancePercentage() {
        MetadataImage image = MetadataImage.EMPTY;
        for (int id = 1; id <= 3; id++) {
            image = image.apply(new MetadataRecord.BrokerRegistration(
                    id, 1, Uuid.randomUuid(), "", List.of(new BrokerEndpoint("P", "PLAINTEXT", "h", id))));
            image = image.apply(new MetadataRecord.BrokerFencing(id, 1, false));
        }
        Uuid id = Uuid.randomUuid();
        image = image.apply(new MetadataRecord.Topic("t", id, 10));
        List<List<Integer>> replicas = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
            replicas.add(p < 5 ? List.of(1, 2, 3) : List.of(2, 3, 1));
        }
        image = image.apply(new MetadataRecord.Assignment(id, 0, replicas));
        // Broker 1 leads 3 of its 5 (40 % not led): partition 3 can move back, 4 cannot (1 out of sync).
        image = image.apply(new MetadataRecord.PartitionState(
                id, 3, new PartitionImage(List.of(1, 2, 3), 2, 1, 1, List.of(1, 2, 3), List.of())));
        image = image.apply(new MetadataRecord.PartitionState(
                id, 4, new PartitionImage(List.of(1, 2, 3), 2, 1, 1, List.of(2, 3), List.of())));
        // Broker 2 leads 4 of its 5 (20 % not led).
        image = image.apply(new MetadataRecord.PartitionState(
                id, 9, new PartitionImage(List.of(2, 3, 1), 3, 1, 1, List.of(2, 3, 1), List.of())));

        assertThat(LeaderRebalance.imbalanced(image, 10))
                .containsExactlyInAnyOrder(new TopicPartition("t", 3), new TopicPartition("t", 9));
        assertThat(LeaderRebalance.imbalanced(image, 20)).containsExactly(new TopicPartition("t", 3));
        assertThat(LeaderRebalance.imbalanced(image, 40)).isEmpty();
    }
}
