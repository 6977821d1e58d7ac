package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.QuorumNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Three serving brokers whose controllers share one quorum on loopback, for the election tests: one broker goes
 * away (its partitions fail over) and comes back, and the leaders of its partitions add it to their ISR again as a
 * real leader does once it caught up (no replication runs here).
 */
final class ElectionCluster {
    static final LivenessSettings LIVENESS = new LivenessSettings(Duration.ofMillis(1500), Duration.ofMillis(200));

    private ElectionCluster() {}

    static QuorumNodes<QuorumController> start(Path root, ElectionSettings elections) throws Exception {
        QuorumNodes<QuorumController> nodes = new QuorumNodes<>(
                        3, root, 1000, s -> QuorumController.start(s, LIVENESS, elections), QuorumController::quorum)
                .startAll();
        nodes.awaitLeader();
        for (int id = 1; id <= 3; id++) {
            serve(nodes, id);
        }
        nodes.awaitImages(
                i -> i.brokers().size() == 3 && i.brokers().values().stream().noneMatch(BrokerImage::fenced),
                "3 serving brokers");
        return nodes;
    }

    static void serve(QuorumNodes<QuorumController> nodes, int id) throws Exception {
        QuorumController controller = nodes.node(id);
        controller.registerBroker("", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9090 + id)));
        controller.unfence();
    }

    /** A broker other than the quorum's leader, so that the quorum keeps its leader while it is away. */
    static int follower(QuorumNodes<QuorumController> nodes) throws Exception {
        return nodes.awaitLeader() % 3 + 1;
    }

    /** Stops {@code lost} (as a kill) and waits until none of {@code topic}'s partitions is led by it. */
    static void stopAndFailOver(QuorumNodes<QuorumController> nodes, int lost, TopicImage topic) throws Exception {
        nodes.stop(lost);
        nodes.awaitImages(
                i -> i.partitions(topic.topicId()).stream()
                        .allMatch(p -> p.leader() != lost && !p.isr().contains(lost)),
                "no partition of " + topic.name() + " led by broker " + lost);
    }

    /** Starts {@code lost} again and has each leader take it back into the ISR, as after it caught up. */
    static void returnInSync(QuorumNodes<QuorumController> nodes, int lost, TopicImage topic) throws Exception {
        nodes.start(lost);
        serve(nodes, lost);
        nodes.awaitImages(i -> !i.broker(lost).fenced(), "broker " + lost + " serving again");
        QuorumController controller = nodes.node(lost);
        List<PartitionImage> partitions = controller.image().partitions(topic.topicId());
        for (int p = 0; p < partitions.size(); p++) {
            PartitionImage current = partitions.get(p);
            List<Integer> isr = new ArrayList<>(current.isr());
            isr.add(lost);
            List<Integer> elr = new ArrayList<>(current.elr());
            elr.remove(Integer.valueOf(lost));
            controller.changePartition(
                    topic.topicId(),
                    p,
                    new PartitionImage(
                            current.replicas(),
                            current.leader(),
                            current.leaderEpoch(),
                            current.partitionEpoch() + 1,
                            isr,
                            elr));
        }
    }
}
