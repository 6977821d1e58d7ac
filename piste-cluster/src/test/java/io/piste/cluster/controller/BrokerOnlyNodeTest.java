package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.QuorumDescription;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.QuorumNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker-only node (process.roles=broker) beside three voters on loopback: it fetches every change, makes its own
 * through the quorum, is placed replicas on, and is fenced when its fetches (its heartbeats) stop.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrokerOnlyNodeTest {
    private static final LivenessSettings LIVENESS =
            new LivenessSettings(Duration.ofMillis(1500), Duration.ofMillis(200));
    private static final int OBSERVER = 4;

    @TempDir
    Path root;

    private QuorumNodes<QuorumController> voters(long snapshotEveryEntries) throws Exception {
        QuorumNodes<QuorumController> nodes = new QuorumNodes<>(
                        3,
                        root,
                        snapshotEveryEntries,
                        s -> QuorumController.start(s, LIVENESS),
                        QuorumController::quorum)
                .startAll();
        nodes.awaitLeader();
        for (int id = 1; id <= 3; id++) {
            serve(nodes.node(id), id);
        }
        return nodes;
    }

    private static void serve(QuorumController controller, int id) throws Exception {
        controller.registerBroker("", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9090 + id)));
        controller.unfence();
    }

    @Test
    void shouldFetchEveryChangeAndMakeItsOwnThroughTheQuorum() throws Exception {
        try (QuorumNodes<QuorumController> nodes = voters(1000)) {
            nodes.node(1).createTopic("before", 2, Map.of());
            QuorumController observer = nodes.startObserver(OBSERVER);
            List<String> heard = new CopyOnWriteArrayList<>();
            observer.setListener(
                    new QuorumControllerTest.Recording(heard), observer.quorum().latestImage());
            assertThat(observer.image().topic("before")).isNotNull();
            assertThat(observer.quorum().isLeader()).isFalse();

            serve(observer, OBSERVER);
            nodes.awaitImages(
                    i -> i.brokers().size() == 4 && !i.broker(OBSERVER).fenced(), "broker 4 serving");
            // Replicas are placed on every serving broker, the broker-only one too.
            TopicImage orders = nodes.node(2).createTopic("orders", 4, 4, Map.of());
            TopicImage payments = observer.createTopic("payments", 1, 3, Map.of("retention.ms", "1000"));
            nodes.node(3).replaceTopicConfigs("orders", Map.of("cleanup.policy", "compact"));
            nodes.awaitImages(
                    i -> i.topic("payments") != null
                            && i.topic("orders").configs().containsKey("cleanup.policy"),
                    "all changes");

            assertThat(observer.image().partitions(orders.topicId()).get(0).replicas())
                    .contains(OBSERVER);
            assertThat(nodes.node(1).image().topic("payments").topicId()).isEqualTo(payments.topicId());
            assertThat(observer.image().records())
                    .containsExactlyInAnyOrderElementsOf(nodes.node(1).image().records());
            QuorumControllerTest.awaitSize(heard, 3);
            assertThat(heard)
                    .containsExactly(
                            "created orders 4", "created payments 1", "configs orders {cleanup.policy=compact}");
            // The leader sees the broker-only node's fetches, as a follower of its log.
            int leader = nodes.awaitLeader();
            assertThat(nodes.node(leader).quorum().status().followerLastContactMs())
                    .containsKey(OBSERVER);
            // DescribeQuorum lists it as an observer, through the leader, a follower or itself.
            for (int id : List.of(leader, leader % 3 + 1, OBSERVER)) {
                QuorumDescription quorum = nodes.node(id).describeQuorum();
                assertThat(quorum.leaderId()).as("through " + id).isEqualTo(leader);
                assertThat(quorum.voters())
                        .extracting(QuorumDescription.Voter::nodeId)
                        .containsExactly(1, 2, 3);
                assertThat(quorum.observers())
                        .as("through " + id)
                        .extracting(QuorumDescription.Voter::nodeId)
                        .containsExactly(OBSERVER);
                assertThat(quorum.observers().get(0).logEndOffset()).isPositive();
                assertThat(quorum.observers().get(0).lastFetchTimestamp()).isPositive();
            }
        }
    }

    @Test
    void shouldBeFencedOnceItStopsFetchingAndServeAgainAfterARestart() throws Exception {
        try (QuorumNodes<QuorumController> nodes = voters(1000)) {
            serve(nodes.startObserver(OBSERVER), OBSERVER);
            nodes.awaitImages(
                    i -> i.broker(OBSERVER) != null && !i.broker(OBSERVER).fenced(), "broker 4 serving");
            // Its fetches keep it alive for longer than a session.
            Thread.sleep(3 * LIVENESS.sessionTimeout().toMillis());
            assertThat(nodes.node(1).image().broker(OBSERVER).fenced()).isFalse();

            nodes.stop(OBSERVER); // as a kill: no controlled shutdown
            nodes.awaitImages(i -> i.broker(OBSERVER).fenced(), "broker 4 fenced");

            QuorumController back = nodes.startObserver(OBSERVER);
            serve(back, OBSERVER);
            assertThat(back.brokerEpoch()).isEqualTo(2);
            nodes.awaitImages(
                    i -> i.broker(OBSERVER).epoch() == 2 && !i.broker(OBSERVER).fenced(), "broker 4 back, epoch 2");
        }
    }

    @Test
    void shouldGetTheWholeImageWhenTheVotersNoLongerHoldTheChangesItLacks() throws Exception {
        try (QuorumNodes<QuorumController> nodes = voters(5)) {
            for (int t = 0; t < 12; t++) {
                nodes.node(t % 3 + 1).createTopic("topic-" + t, 1, Map.of());
            }
            // Restarted, the voters load their snapshots: the changes before them are no longer held for fetches.
            for (int id = 1; id <= 3; id++) {
                nodes.stop(id);
                nodes.start(id);
            }
            nodes.awaitLeader();
            QuorumController observer = nodes.startObserver(OBSERVER);
            // Waited for by polling, not a linearizable read: leadership may still move after three restarts on a
            // busy machine (the tests' election timeout is 300 ms), and the liveness rounds keep changing brokers.
            nodes.awaitImages(i -> i.topics().size() == 12, "the 12 topics");
            assertThat(topicIds(observer.image()))
                    .isEqualTo(topicIds(nodes.node(1).image()));
            assertThat(observer.image().brokers()).containsOnlyKeys(1, 2, 3);
        }
    }

    private static Map<String, Uuid> topicIds(MetadataImage image) {
        Map<String, Uuid> ids = new TreeMap<>();
        image.topics().forEach(topic -> ids.put(topic.name(), topic.topicId()));
        return ids;
    }
}
