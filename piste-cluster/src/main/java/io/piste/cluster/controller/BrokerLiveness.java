package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.MetadataRecordCodec;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.MetadataQuorum;
import io.piste.cluster.quorum.QuorumStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences brokers that stopped answering, as Kafka's active controller does when heartbeats stop. A broker's heartbeat
 * here is its own quorum member answering the Ratis leader, which tracks the time since each follower's last answer,
 * or, for a broker-only node, its metadata fetches from the leader. Runs on every node and acts on the leader only:
 * every {@code broker.heartbeat.interval.ms} it proposes {@code FENCE} for each unfenced broker silent for {@code
 * broker.session.timeout.ms} (a broker that is not a quorum member counts as silent from the leader's start), then
 * moves the leadership of the partitions that need it ({@link PartitionElection}). A broker whose member has been
 * silent for {@link LivenessSettings#probeAfter()} is fenced at once if a connection to its listener is refused:
 * nothing listens there, so its process is gone (a kill -9, a crash), and waiting out the session would only keep its
 * partitions without a leader; a paused or cut-off broker still accepts, or does not answer, and waits out its session
 * as in Kafka ({@link ListenerProbe}). On every node it also lets the {@link QuorumController} ask to be unfenced again
 * when this node serves but finds its registration fenced (after a pause or a cut).
 */
final class BrokerLiveness implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLiveness.class);

    private final QuorumController controller;
    private final MetadataQuorum quorum;
    private final LivenessSettings settings;
    private final ElectionSettings elections;
    private final ScheduledExecutorService timer;
    /** When this node last saw itself become leader; -1 while it is not the leader. */
    private long leaderSinceMs = -1;
    /**
     * The image in which the last election round found nothing to move: until the image changes (images are
     * replaced at every change) no partition needs a new state, so the next round does not scan them all again.
     */
    private MetadataImage settled;

    BrokerLiveness(
            QuorumController controller, MetadataQuorum quorum, LivenessSettings settings, ElectionSettings elections) {
        this.controller = controller;
        this.quorum = quorum;
        this.settings = settings;
        this.elections = elections;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "piste-broker-liveness");
            thread.setDaemon(true);
            return thread;
        });
        long interval = settings.heartbeatInterval().toMillis();
        timer.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void check() {
        try {
            QuorumStatus status = quorum.status();
            if (status.isLeader()) {
                fenceSilentBrokers(status, controller.image());
                electLeaders(controller.image(), status.nodeId());
            } else {
                leaderSinceMs = -1;
            }
            controller.unfenceIfServing();
        } catch (IOException | ApiException e) {
            LOG.warn(
                    "Broker liveness check failed; the next one runs in {} ms: {}",
                    settings.heartbeatInterval().toMillis(),
                    e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Broker liveness check failed", e);
        }
    }

    private void fenceSilentBrokers(QuorumStatus status, MetadataImage image) throws IOException, InterruptedException {
        long now = System.currentTimeMillis();
        if (leaderSinceMs < 0) {
            leaderSinceMs = now;
        }
        long sessionMs = settings.sessionTimeout().toMillis();
        for (BrokerImage broker : image.brokers().values()) {
            if (broker.fenced() || broker.nodeId() == status.nodeId()) {
                continue;
            }
            Long silentMs = status.followerLastContactMs().get(broker.nodeId());
            long silent = silentMs != null ? silentMs : now - leaderSinceMs;
            if (silent > sessionMs) {
                fence(broker, "nothing heard from it for " + silent + " ms");
            } else if (settings.probeAfter() != null
                    && silent > settings.probeAfter().toMillis()
                    && ListenerProbe.refused(broker, probeTimeoutMs())) {
                fence(
                        broker,
                        "nothing heard from it for " + silent + " ms and its listener "
                                + broker.endpoints().get(0).host() + ":"
                                + broker.endpoints().get(0).port()
                                + " refuses connections (its process is gone)");
            }
        }
    }

    private long probeTimeoutMs() {
        return Math.min(500, settings.heartbeatInterval().toMillis());
    }

    private void fence(BrokerImage broker, String why) throws IOException, InterruptedException {
        LOG.warn("Fencing broker {} (epoch {}): {}", broker.nodeId(), broker.epoch(), why);
        quorum.propose(List.of(new MetadataRecord.BrokerFencing(broker.nodeId(), broker.epoch(), true)));
    }

    /**
     * Moves the partitions whose leader or in-sync replicas no longer serve, or whose leader is back
     * ({@link PartitionElection}; to an out-of-sync replica only where the topic allows unclean election), and
     * completes the reassignments that can complete ({@link ReassignmentStates#completion}), in
     * changes of at most the records one change may hold. A change refused because another came first is made again
     * at the next round, against the newer image.
     */
    private void electLeaders(MetadataImage image, int nodeId) throws IOException, InterruptedException {
        if (image == settled) {
            return;
        }
        boolean moved = false;
        List<MetadataRecord> changes = new ArrayList<>();
        for (TopicImage topic : image.topics()) {
            List<PartitionImage> partitions = image.partitions(topic.topicId());
            boolean uncleanAllowed = elections.uncleanAllowed(topic, image, nodeId);
            int minInsyncReplicas = elections.minInsyncReplicas(topic, image);
            for (int p = 0; p < partitions.size(); p++) {
                PartitionImage current = partitions.get(p);
                PartitionImage next = PartitionElection.next(current, image, uncleanAllowed, minInsyncReplicas);
                next = next != null
                        ? ReassignmentStates.withCompletion(next, image)
                        : ReassignmentStates.completion(current, image);
                if (next == null) {
                    continue;
                }
                moved = true;
                changes.add(new MetadataRecord.PartitionState(topic.topicId(), p, next));
                if (changes.size() == MetadataRecordCodec.MAX_CHANGE_RECORDS) {
                    quorum.propose(changes);
                    changes = new ArrayList<>();
                }
            }
        }
        if (!changes.isEmpty()) {
            quorum.propose(changes);
        }
        if (!moved) {
            settled = image;
        }
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
