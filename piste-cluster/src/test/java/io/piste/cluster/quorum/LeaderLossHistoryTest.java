package io.piste.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.TopicImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proposals through every node while the leader is stopped and restarted: every change a proposer heard accepted
 * is on every node afterwards, no change appears that was refused, and all nodes end with the same image.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaderLossHistoryTest {

    @TempDir
    Path root;

    @Test
    void shouldKeepEveryAcceptedChangeAcrossALeaderLoss() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 20).startAll()) {
            int leader = nodes.awaitLeader();
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            Set<String> refused = ConcurrentHashMap.newKeySet();
            Set<String> unknown = ConcurrentHashMap.newKeySet(); // timed out or failed: may or may not be applied
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<?>> proposers = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                int node = id;
                proposers.add(pool.submit(() -> {
                    for (int i = 0; !stop.get() && i < 400; i++) {
                        MetadataQuorum quorum = nodes.node(node);
                        if (quorum == null) {
                            return null; // this node was stopped
                        }
                        String name = "n" + node + "-" + i;
                        try {
                            quorum.propose(List.of(new MetadataRecord.Topic(name, Uuid.randomUuid(), 1)));
                            accepted.add(name);
                        } catch (TimeoutException | java.io.IOException e) {
                            unknown.add(name);
                        } catch (ApiException e) {
                            refused.add(name);
                        } catch (RuntimeException e) {
                            unknown.add(name); // a stopped node's client
                        }
                    }
                    return null;
                }));
            }
            awaitSize(accepted, 30);
            nodes.stop(leader);
            int survivor = leader % 3 + 1;
            int sizeAtLoss = accepted.size();
            awaitSize(accepted, sizeAtLoss + 30); // the other two go on under a new leader
            nodes.start(leader);
            awaitSize(accepted, sizeAtLoss + 60);
            stop.set(true);
            for (Future<?> proposer : proposers) {
                proposer.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();

            nodes.awaitImages(i -> names(i).containsAll(accepted), "every accepted topic");
            Set<String> onSurvivor = names(nodes.node(survivor).image());
            nodes.awaitImages(i -> names(i).equals(onSurvivor), "the same topics everywhere");
            assertThat(refused).isEmpty(); // distinct names: nothing to refuse
            Set<String> unexpected = new HashSet<>(onSurvivor);
            unexpected.removeAll(accepted);
            unexpected.removeAll(unknown);
            assertThat(unexpected).as("topics nobody proposed").isEmpty();
            for (int id = 1; id <= 3; id++) {
                assertThat(nodes.node(id).image().records())
                        .isEqualTo(nodes.node(survivor).image().records());
            }
        }
    }

    private static Set<String> names(MetadataImage image) {
        Set<String> names = new HashSet<>();
        for (TopicImage topic : image.topics()) {
            names.add(topic.name());
        }
        return names;
    }

    private static void awaitSize(Set<String> set, int size) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (set.size() < size) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("only " + set.size() + " of " + size + " changes accepted within 60 s");
            }
            Thread.sleep(10);
        }
    }
}
