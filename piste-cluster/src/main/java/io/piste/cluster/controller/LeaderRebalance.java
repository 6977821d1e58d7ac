package io.piste.cluster.controller;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.MetadataQuorum;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's automatic preferred leader rebalance ({@code auto.leader.rebalance.enable}): every {@code
 * leader.imbalance.check.interval.seconds} the active controller looks, for each serving broker, at the partitions
 * it is the preferred (first) replica of; if more than {@code leader.imbalance.per.broker.percentage} of them are led
 * by another broker (it was away, and failover moved them), the preferred leaders of those whose preferred replica is
 * in sync are elected, as an ElectLeaders request would. Runs on every node, acts on the quorum's leader only.
 */
final class LeaderRebalance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderRebalance.class);

    private final MetadataQuorum quorum;
    private final LeaderElections elections;
    private final ElectionSettings settings;
    private final ScheduledExecutorService timer;

    LeaderRebalance(MetadataQuorum quorum, LeaderElections elections, ElectionSettings settings) {
        this.quorum = quorum;
        this.elections = elections;
        this.settings = settings;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "piste-leader-rebalance");
            thread.setDaemon(true);
            return thread;
        });
        if (settings.autoLeaderRebalance()) {
            long interval = settings.imbalanceCheckInterval().toMillis();
            timer.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    private void check() {
        try {
            if (!quorum.isLeader()) {
                return;
            }
            Set<TopicPartition> imbalanced = imbalanced(quorum.image(), settings.imbalancePercentage());
            if (imbalanced.isEmpty()) {
                return;
            }
            // A round takes at most the interval between two, so that rounds never pile up.
            Map<TopicPartition, ApiError> results = elections.elect(
                    ElectionType.PREFERRED,
                    imbalanced,
                    settings.imbalanceCheckInterval().toMillis());
            long elected = results.values().stream()
                    .filter(e -> e.error() == ApiError.NONE.error())
                    .count();
            LOG.info("Leader imbalance: elected the preferred leaders of {} of {} partitions", elected, results.size());
        } catch (IOException | ApiException e) {
            LOG.warn(
                    "The leader imbalance check failed; the next one runs in {}: {}",
                    settings.imbalanceCheckInterval(),
                    e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("The leader imbalance check failed", e);
        }
    }

    /**
     * The partitions to move back to their preferred replica: of each serving broker whose share of partitions it
     * prefers but does not lead is above {@code percentage}, those where it is in sync (the others cannot move yet).
     */
    static Set<TopicPartition> imbalanced(MetadataImage image, int percentage) {
        Map<Integer, Integer> preferredCounts = new HashMap<>();
        Map<Integer, List<TopicPartition>> movable = new HashMap<>();
        Map<Integer, Integer> notLedCounts = new HashMap<>();
        List<TopicImage> topics = new ArrayList<>(image.topics());
        topics.sort(Comparator.comparing(TopicImage::name));
        for (TopicImage topic : topics) {
            List<PartitionImage> partitions = image.partitions(topic.topicId());
            for (int p = 0; p < partitions.size(); p++) {
                PartitionImage partition = partitions.get(p);
                int preferred = partition.replicas().get(0);
                preferredCounts.merge(preferred, 1, Integer::sum);
                if (partition.leader() == preferred) {
                    continue;
                }
                notLedCounts.merge(preferred, 1, Integer::sum);
                if (partition.isr().contains(preferred)) {
                    movable.computeIfAbsent(preferred, b -> new ArrayList<>()).add(new TopicPartition(topic.name(), p));
                }
            }
        }
        Set<TopicPartition> imbalanced = new LinkedHashSet<>();
        notLedCounts.forEach((broker, notLed) -> {
            boolean above = notLed * 100L > (long) percentage * preferredCounts.get(broker);
            if (above && PartitionElection.serves(image, broker)) {
                imbalanced.addAll(movable.getOrDefault(broker, List.of()));
            }
        });
        return imbalanced;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
