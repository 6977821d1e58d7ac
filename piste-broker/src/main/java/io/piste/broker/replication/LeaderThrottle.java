package io.piste.broker.replication;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Kafka's leader replication throttle, shared by every follower fetch this node answers: the bytes sent to followers
 * of a partition whose topic's {@code leader.replication.throttled.replicas} names this node's replica ({@code *}, or
 * {@code partition:broker} entries, as {@code kafka-reassign-partitions --throttle} sets them for the current
 * replicas) count against {@code leader.replication.throttled.rate}; while the measured rate is above it, a follower
 * out of the ISR gets none of that partition's records (an answer with the leader's offsets only), so a reassignment's
 * new replica copies no faster than the rate even when its own broker sets no follower throttle. In-sync followers are
 * never held back, as in Kafka: producers waiting for acks=all are not slowed. Thread-safe.
 */
public final class LeaderThrottle {

    static final String THROTTLED_REPLICAS = "leader.replication.throttled.replicas";

    /** A single node's: no topic is throttled, no follower ever fetches. */
    public static final LeaderThrottle NONE =
            new LeaderThrottle(-1, () -> MetadataImage.EMPTY, () -> Long.MAX_VALUE, new ReplicationQuota(1, 1000));

    private final int self;
    private final Supplier<MetadataImage> image;
    private final LongSupplier rate;
    private final ReplicationQuota quota;

    /** @param rate {@code leader.replication.throttled.rate} now, {@link Long#MAX_VALUE} for none */
    LeaderThrottle(int self, Supplier<MetadataImage> image, LongSupplier rate, ReplicationQuota quota) {
        this.self = self;
        this.image = image;
        this.rate = rate;
        this.quota = quota;
    }

    /**
     * Whether the answer to follower {@code replicaId}'s fetch of partition {@code index} of {@code topic} leaves its
     * records out this time: the partition is throttled here, the follower is out of the ISR, the quota is used up.
     */
    public boolean holdsBack(String topic, int index, int replicaId, long nowMs) {
        MetadataImage now = image.get();
        TopicImage t = now.topic(topic);
        if (t == null || !isThrottled(t, index)) {
            return false;
        }
        return !Assignments.inIsr(now, t, index, replicaId) && quota.isExceeded(rate.getAsLong(), nowMs);
    }

    /** Counts {@code bytes} sent to a follower of partition {@code index} of {@code topic} if it is throttled here. */
    public void sent(String topic, int index, long bytes, long nowMs) {
        if (bytes <= 0) {
            return;
        }
        TopicImage t = image.get().topic(topic);
        if (t != null && isThrottled(t, index)) {
            quota.record(bytes, nowMs);
        }
    }

    private boolean isThrottled(TopicImage topic, int index) {
        String replicas = topic.configs().get(THROTTLED_REPLICAS);
        return replicas != null && FollowerThrottle.names(replicas.trim(), index, self);
    }
}
