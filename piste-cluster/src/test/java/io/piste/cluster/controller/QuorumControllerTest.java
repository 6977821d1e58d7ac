package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.QuorumDescription;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.QuorumNodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three controllers on one quorum on loopback: a change made through any of them reaches every node's listener. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuorumControllerTest {

    @TempDir
    Path root;

    /** Three nodes, each registered as a serving broker (a topic's partitions need brokers to be placed on). */
    private QuorumNodes<QuorumController> controllers() throws Exception {
        QuorumNodes<QuorumController> nodes =
                new QuorumNodes<>(3, root, 1000, QuorumController::start, QuorumController::quorum).startAll();
        nodes.awaitLeader();
        for (int id = 1; id <= 3; id++) {
            nodes.node(id)
                    .registerBroker("", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9090 + id)));
            nodes.node(id).unfence();
        }
        return nodes;
    }

    @Test
    void shouldTellEveryNodesListenerOfEachChangeWhicheverNodeMadeIt() throws Exception {
        try (QuorumNodes<QuorumController> nodes = controllers()) {
            List<List<String>> heard = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                List<String> events = new CopyOnWriteArrayList<>();
                nodes.node(id).setListener(new Recording(events));
                heard.add(events);
            }

            TopicImage orders = nodes.node(2).createTopic("orders", 3, Map.of("retention.ms", "1000"));
            assertThat(orders.configs()).containsEntry("retention.ms", "1000");
            nodes.node(3).createPartitions("orders", 5, false);
            nodes.node(1).replaceTopicConfigs("orders", Map.of("cleanup.policy", "compact"));
            nodes.node(2).replaceBrokerConfigs(MetadataImage.CLUSTER_DEFAULT, Map.of("log.retention.ms", "5"));
            nodes.node(3).deleteTopic(orders.topicId());

            List<String> expected = List.of(
                    "created orders 3",
                    "grown orders 3->5",
                    "configs orders {cleanup.policy=compact}",
                    "broker configs {log.retention.ms=5}",
                    "deleted orders");
            nodes.awaitImages(
                    i -> i.topic("orders") == null
                            && !i.brokerConfigs("default").isEmpty(),
                    "all changes");
            for (List<String> events : heard) {
                awaitSize(events, expected.size());
                assertThat(events).containsExactlyElementsOf(expected);
            }
        }
    }

    /**
     * Log work for a change (the logs of a large topic, seconds) is done off the applying thread: while every node's
     * listener is busy with one change, the quorum still applies and answers the next ones, then tells them in order.
     */
    @Test
    void shouldApplyAndAnswerChangesWhileTheListenersAreBusyWithAnEarlierOne() throws Exception {
        try (QuorumNodes<QuorumController> nodes = controllers()) {
            CountDownLatch release = new CountDownLatch(1);
            try {
                List<List<String>> heard = new ArrayList<>();
                for (int id = 1; id <= 3; id++) {
                    List<String> events = new CopyOnWriteArrayList<>();
                    nodes.node(id).setListener(new HeldOnCreation(new Recording(events), release));
                    heard.add(events);
                }

                nodes.node(1).createTopic("slow", 1, Map.of());
                nodes.node(2).createTopic("fast", 2, Map.of());
                nodes.node(3).createPartitions("fast", 3, false);
                nodes.awaitImages(
                        i -> i.topic("fast") != null && i.topic("fast").partitionCount() == 3, "all changes");
                for (List<String> events : heard) {
                    assertThat(events).isEmpty(); // each listener still holds the first change
                }

                release.countDown();
                for (List<String> events : heard) {
                    awaitSize(events, 3);
                    assertThat(events).containsExactly("created slow 1", "created fast 2", "grown fast 2->3");
                }
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void shouldAnswerKafkasErrorsFromAnyNode() throws Exception {
        try (QuorumNodes<QuorumController> nodes = controllers()) {
            nodes.awaitLeader();
            nodes.node(1).createTopic("orders", 2, Map.of());
            assertThatThrownBy(() -> nodes.node(2).createTopic("orders", 2, Map.of()))
                    .isInstanceOf(TopicExistsException.class);
            assertThatThrownBy(() -> nodes.node(3).createPartitions("orders", 2, false))
                    .isInstanceOf(InvalidPartitionsException.class);
            assertThatThrownBy(() -> nodes.node(3).createPartitions("missing", 4, false))
                    .isInstanceOf(UnknownTopicOrPartitionException.class);
            nodes.node(3).createPartitions("orders", 4, true); // validate only: nothing changes
            assertThat(nodes.node(3).image().topic("orders").partitionCount()).isEqualTo(2);
        }
    }

    @Test
    void shouldDescribeTheQuorumFromTheLeader() throws Exception {
        try (QuorumNodes<QuorumController> nodes = controllers()) {
            int leader = nodes.awaitLeader();
            nodes.node(leader).createTopic("orders", 1, Map.of());
            QuorumDescription quorum = awaitVotersCaughtUp(nodes.node(leader));
            assertThat(quorum.leaderId()).isEqualTo(leader);
            assertThat(quorum.leaderEpoch()).isPositive();
            assertThat(quorum.highWatermark()).isPositive();
            assertThat(quorum.voters())
                    .extracting(QuorumDescription.Voter::nodeId)
                    .containsExactly(1, 2, 3);
            for (QuorumDescription.Voter voter : quorum.voters()) {
                assertThat(voter.logEndOffset())
                        .as("voter " + voter.nodeId())
                        .isGreaterThanOrEqualTo(quorum.highWatermark());
                assertThat(voter.lastCaughtUpTimestamp()).isPositive();
            }
            // A follower asks the leader, as Kafka's brokers forward DescribeQuorum to the active controller.
            QuorumDescription fromFollower = awaitVotersCaughtUp(nodes.node(leader % 3 + 1));
            assertThat(fromFollower.leaderId()).isEqualTo(leader);
            assertThat(fromFollower.leaderEpoch()).isEqualTo(quorum.leaderEpoch());
            assertThat(fromFollower.highWatermark()).isGreaterThanOrEqualTo(quorum.highWatermark());
            for (QuorumDescription.Voter voter : fromFollower.voters()) {
                assertThat(voter.logEndOffset())
                        .as("voter %d, described through a follower", voter.nodeId())
                        .isGreaterThanOrEqualTo(quorum.highWatermark());
                assertThat(voter.lastFetchTimestamp()).isPositive();
            }
        }
    }

    @Test
    void shouldNeverHandOutTheSameProducerIdFromTwoNodes() throws Exception {
        try (QuorumNodes<QuorumController> nodes = controllers()) {
            nodes.awaitLeader();
            int perNode = 2500; // three blocks each, reserved while the other nodes reserve theirs
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<List<Long>>> results = new ArrayList<>();
                for (int id = 1; id <= 3; id++) {
                    QuorumController controller = nodes.node(id);
                    results.add(pool.submit(() -> {
                        List<Long> ids = new ArrayList<>();
                        for (int i = 0; i < perNode; i++) {
                            ids.add(controller.nextProducerId());
                        }
                        return ids;
                    }));
                }
                Set<Long> all = new HashSet<>();
                for (Future<List<Long>> result : results) {
                    all.addAll(result.get(60, TimeUnit.SECONDS));
                }
                assertThat(all).hasSize(3 * perNode);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The leader's description once every voter has replicated up to the high watermark (bounded wait). */
    /** The quorum as described through {@code node}, once every voter caught up (or after 30 s). */
    private static QuorumDescription awaitVotersCaughtUp(QuorumController node) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            QuorumDescription quorum = node.describeQuorum();
            boolean caughtUp = quorum.voters().stream().allMatch(v -> v.logEndOffset() >= quorum.highWatermark());
            if (caughtUp || System.currentTimeMillis() > deadline) {
                return quorum;
            }
            Thread.sleep(50);
        }
    }

    static void awaitSize(List<String> events, int size) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (events.size() < size && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Holds each topic creation until released, then tells {@code recording}. */
    record HeldOnCreation(Recording recording, CountDownLatch release) implements MetadataListener {
        @Override
        public void onTopicCreated(TopicImage topic, MetadataImage image) {
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            recording.onTopicCreated(topic, image);
        }

        @Override
        public void onTopicDeleted(TopicImage topic) {
            recording.onTopicDeleted(topic);
        }

        @Override
        public void onPartitionsAdded(TopicImage topic, int previousCount, MetadataImage image) {
            recording.onPartitionsAdded(topic, previousCount, image);
        }

        @Override
        public void onPartitionStatesChanged(TopicImage topic, MetadataImage image) {}

        @Override
        public void onConfigsChanged(TopicImage topic) {
            recording.onConfigsChanged(topic);
        }

        @Override
        public void onBrokerConfigsChanged(MetadataImage image) {
            recording.onBrokerConfigsChanged(image);
        }
    }

    /** Writes each callback as one line. */
    record Recording(List<String> events) implements MetadataListener {
        @Override
        public void onTopicCreated(TopicImage topic, MetadataImage image) {
            events.add("created " + topic.name() + " " + topic.partitionCount());
        }

        @Override
        public void onTopicDeleted(TopicImage topic) {
            events.add("deleted " + topic.name());
        }

        @Override
        public void onPartitionsAdded(TopicImage topic, int previousCount, MetadataImage image) {
            events.add("grown " + topic.name() + " " + previousCount + "->" + topic.partitionCount());
        }

        @Override
        public void onPartitionStatesChanged(TopicImage topic, MetadataImage image) {}

        @Override
        public void onConfigsChanged(TopicImage topic) {
            events.add("configs " + topic.name() + " " + topic.configs());
        }

        @Override
        public void onBrokerConfigsChanged(MetadataImage image) {
            events.add("broker configs " + image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT));
        }
    }
}
