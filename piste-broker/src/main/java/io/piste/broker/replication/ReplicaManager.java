package io.piste.broker.replication;

import io.piste.broker.config.ClusterConfigDef;
import io.piste.broker.interbroker.CoordinatorMarkers;
import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.EligibleLeaders;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in replication (Kafka's ReplicaManager for a KRaft broker): from each metadata image, the partitions
 * it holds a replica of become led here (the leader tracks its followers' fetches for the high watermark) or followed
 * from their leader (one {@link ReplicaFetcher} per leader); as a leader it proposes ISR changes to the controller,
 * fenced by partition epoch: a follower lagging {@code replica.lag.time.max.ms} out, one that caught up back in.
 * A single node's image has no partition states: it does nothing there.
 *
 * <p>Threads: {@link #apply} is serialized (the controller's applying thread, and the broker at start-up); ISR
 * proposals run on a thread of their own, never on an event loop or the applying thread.
 */
public final class ReplicaManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    /** What this node last did with a partition: its leader and epochs in the image applied. */
    private record Role(int leader, int leaderEpoch, int partitionEpoch) {}

    private final int self;
    private final LogManager logs;
    private final Controller controller;
    private final ReplicationSettings settings;
    private final Map<TopicPartition, Role> roles = new HashMap<>();
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    /** Partitions with an ISR proposal in flight: one at a time each. */
    private final Set<TopicPartition> proposing = ConcurrentHashMap.newKeySet();

    private final FollowerThrottle throttle;
    private final LeaderThrottle leaderThrottle;
    private final ScheduledExecutorService proposals;
    private volatile boolean closed;
    /** Told of the leaderships of {@link #toldTopics}; guarded by this object. */
    private LeadershipListener leadership;

    private Set<String> toldTopics = Set.of();

    public ReplicaManager(int self, LogManager logs, Controller controller, ReplicationSettings settings) {
        this.self = self;
        this.logs = logs;
        this.controller = controller;
        this.settings = settings;
        this.throttle = new FollowerThrottle(
                self,
                controller::image,
                () -> logs.brokerConfigs().getLong(ClusterConfigDef.FOLLOWER_REPLICATION_THROTTLED_RATE_CONFIG),
                new ReplicationQuota(settings.quotaWindows(), settings.quotaWindowMs()));
        this.leaderThrottle = new LeaderThrottle(
                self,
                controller::image,
                () -> logs.brokerConfigs().getLong(ClusterConfigDef.LEADER_REPLICATION_THROTTLED_RATE_CONFIG),
                new ReplicationQuota(settings.quotaWindows(), settings.quotaWindowMs()));
        this.proposals = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "piste-isr-changes");
            t.setDaemon(true);
            return t;
        });
        long checkMs = Math.max(10, settings.lagTimeMaxMs() / 2);
        proposals.scheduleWithFixedDelay(this::shrinkLaggingIsrs, checkMs, checkMs, TimeUnit.MILLISECONDS);
    }

    /** The leader's side of the replication throttle, for the fetches this node answers its followers. */
    public LeaderThrottle leaderThrottle() {
        return leaderThrottle;
    }

    /** Takes each partition's role in {@code image}: lead it, follow it from its leader, or neither. */
    public synchronized void apply(MetadataImage image) {
        if (closed) {
            return;
        }
        long now = System.currentTimeMillis();
        Set<TopicPartition> seen = new java.util.HashSet<>();
        for (TopicImage topic : image.topics()) {
            List<PartitionImage> states = image.partitions(topic.topicId());
            for (int p = 0; p < states.size(); p++) {
                PartitionImage state = states.get(p);
                if (!state.replicas().contains(self)) {
                    continue;
                }
                TopicPartition key = new TopicPartition(topic.name(), p);
                seen.add(key);
                applyPartition(topic, p, key, state, now);
            }
        }
        for (Iterator<Map.Entry<TopicPartition, Role>> it = roles.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Role> entry = it.next();
            TopicPartition key = entry.getKey();
            if (!seen.contains(key)) {
                unfollow(key); // deleted, or no longer a replica here
                it.remove();
                if (entry.getValue().leader() == self) {
                    tellStopped(key);
                }
            }
        }
        stopIdleFetchers();
    }

    private void applyPartition(TopicImage topic, int index, TopicPartition key, PartitionImage state, long now) {
        Role known = roles.get(key);
        Role next = new Role(state.leader(), state.leaderEpoch(), state.partitionEpoch());
        if (next.equals(known)) {
            return;
        }
        Partition partition = logs.partition(topic.name(), index);
        if (partition == null) {
            return; // its log failed to open: unavailable here until a restart, as on a single node
        }
        boolean newLeadership =
                known == null || known.leaderEpoch() != state.leaderEpoch() || known.leader() != state.leader();
        if (state.leader() == self) {
            if (newLeadership) {
                unfollow(key);
                partition.lead(state, now);
                LOG.info("Leading {} at leader epoch {}, ISR {}", key, state.leaderEpoch(), state.isr());
                tellLeading(key, state.leaderEpoch());
            } else {
                partition.updateLeadership(state);
            }
        } else if (newLeadership) {
            if (known != null && known.leader() == self) {
                partition.stopLeading();
                tellStopped(key);
            }
            partition.follow();
            unfollow(key);
            if (state.leader() >= 0) {
                fetcherFor(state.leader())
                        .add(new ReplicaFetcher.Followed(
                                topic.name(), index, topic.topicId(), partition, state.leaderEpoch()));
                LOG.info("Following {} on broker {} at leader epoch {}", key, state.leader(), state.leaderEpoch());
            }
        }
        roles.put(key, next);
    }

    /**
     * From now on tells {@code listener} when this node starts or stops leading a partition of {@code topics}; it is
     * first told of each such partition this node leads now, so that nothing led before the call is missed.
     */
    public synchronized void setLeadershipListener(Set<String> topics, LeadershipListener listener) {
        this.toldTopics = Set.copyOf(topics);
        this.leadership = listener;
        roles.forEach((key, role) -> {
            if (role.leader() == self) {
                tellLeading(key, role.leaderEpoch());
            }
        });
    }

    private void tellLeading(TopicPartition key, int leaderEpoch) {
        if (leadership != null && toldTopics.contains(key.topic())) {
            try {
                leadership.becameLeader(key.topic(), key.partition(), leaderEpoch);
            } catch (RuntimeException e) {
                LOG.error("Could not tell the leadership of {} at epoch {}", key, leaderEpoch, e);
            }
        }
    }

    private void tellStopped(TopicPartition key) {
        if (leadership != null && toldTopics.contains(key.topic())) {
            try {
                leadership.stoppedLeading(key.topic(), key.partition());
            } catch (RuntimeException e) {
                LOG.error("Could not tell the end of the leadership of {}", key, e);
            }
        }
    }

    private ReplicaFetcher fetcherFor(int leader) {
        return fetchers.computeIfAbsent(leader, id -> {
            ReplicaFetcher fetcher = new ReplicaFetcher(
                    self,
                    id,
                    settings,
                    () -> CoordinatorMarkers.broker(controller.image(), id, settings.listenerName()),
                    controller::brokerEpoch,
                    logs::checkpointNow,
                    throttle);
            fetcher.start();
            return fetcher;
        });
    }

    private void unfollow(TopicPartition key) {
        for (ReplicaFetcher fetcher : fetchers.values()) {
            fetcher.remove(key);
        }
    }

    private void stopIdleFetchers() {
        for (Iterator<ReplicaFetcher> it = fetchers.values().iterator(); it.hasNext(); ) {
            ReplicaFetcher fetcher = it.next();
            if (fetcher.isEmpty()) {
                fetcher.close();
                it.remove();
            }
        }
    }

    /**
     * A follower's fetch showed it caught up while out of the ISR (called on an event loop): propose it back, on the
     * proposals' thread, unless it is fenced or a proposal for the partition is in flight.
     */
    public void maybeExpandIsr(String topic, int index, Partition leader, int replicaId) {
        PartitionImage state = leader.leadership();
        if (state == null || state.isr().contains(replicaId) || leader.isrWith(replicaId, false) == null) {
            return;
        }
        TopicPartition key = new TopicPartition(topic, index);
        if (!proposing.add(key)) {
            return;
        }
        proposals.execute(() -> {
            try {
                BrokerImage broker = controller.image().broker(replicaId);
                PartitionImage current = leader.leadership();
                if (broker == null || broker.fenced() || current == null) {
                    return;
                }
                List<Integer> isr = leader.isrWith(replicaId, true);
                if (isr != null && refused(key, current, isr, leader.minInsyncReplicas())) {
                    leader.abandonIsrExpansion(replicaId);
                }
            } finally {
                proposing.remove(key);
            }
        });
    }

    /** Every half of replica.lag.time.max.ms: drops the followers that lag from the ISRs led here. */
    private void shrinkLaggingIsrs() {
        long now = System.currentTimeMillis();
        Map<TopicPartition, Role> led;
        synchronized (this) {
            led = new HashMap<>(roles);
        }
        for (Map.Entry<TopicPartition, Role> e : led.entrySet()) {
            if (e.getValue().leader() != self || closed) {
                continue;
            }
            Partition partition = logs.partition(e.getKey().topic(), e.getKey().partition());
            PartitionImage current = partition == null ? null : partition.leadership();
            List<Integer> isr = current == null ? null : partition.isrWithoutLagging(now, settings.lagTimeMaxMs());
            if (isr != null && proposing.add(e.getKey())) {
                try {
                    propose(e.getKey(), current, isr, partition.minInsyncReplicas());
                } finally {
                    proposing.remove(e.getKey());
                }
            }
        }
    }

    /** Proposes {@code isr}, with the eligible leader replicas it leaves (KIP-966). */
    private void propose(TopicPartition key, PartitionImage current, List<Integer> isr, int minInsyncReplicas) {
        refused(key, current, isr, minInsyncReplicas);
    }

    /**
     * As {@link #propose}; true if the change was surely not made (refused, or the topic is gone), false if it was or
     * may still be (a quorum that did not answer in time may commit it later).
     */
    private boolean refused(TopicPartition key, PartitionImage current, List<Integer> isr, int minInsyncReplicas) {
        TopicImage topic = controller.image().topic(key.topic());
        if (topic == null) {
            return true;
        }
        PartitionImage next =
                current.withLeaderAndIsr(current.leader(), isr, EligibleLeaders.after(current, isr, minInsyncReplicas));
        try {
            controller.changePartition(topic.topicId(), key.partition(), next);
            LOG.info("ISR of {} changed from {} to {}, eligible leaders {}", key, current.isr(), isr, next.elr());
            return false;
        } catch (ApiException | IOException e) {
            // Another change came first (a newer image follows), or the quorum is busy: the next round tries again.
            LOG.info("ISR change of {} to {} not made: {}", key, isr, e.toString());
            return e instanceof ApiException && !(e instanceof org.apache.kafka.common.errors.TimeoutException);
        } catch (RuntimeException e) {
            LOG.error("ISR change of {} to {} failed", key, isr, e);
            return false;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        proposals.shutdownNow();
        List<ReplicaFetcher> stopping;
        synchronized (this) {
            stopping = List.copyOf(fetchers.values());
            fetchers.clear();
        }
        stopping.forEach(ReplicaFetcher::close);
        try {
            proposals.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
