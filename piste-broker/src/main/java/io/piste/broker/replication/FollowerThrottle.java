package io.piste.broker.replication;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Kafka's follower replication throttle, shared by all the fetchers of this node: a partition whose topic's
 * {@code follower.replication.throttled.replicas} names this node's replica ({@code *}, or {@code partition:broker}
 * entries) and that is out of the ISR is left out of fetches while the bytes fetched for such partitions exceed
 * {@code follower.replication.throttled.rate}. In-sync replicas are never held back, as in Kafka: the throttle slows
 * a reassignment's new replicas catching up, never the replication producers wait for. Thread-safe.
 */
final class FollowerThrottle {

    static final String THROTTLED_REPLICAS = "follower.replication.throttled.replicas";

    private final int self;
    private final Supplier<MetadataImage> image;
    private final LongSupplier rate;
    private final ReplicationQuota quota;

    /** @param rate {@code follower.replication.throttled.rate} now, {@link Long#MAX_VALUE} for none */
    FollowerThrottle(int self, Supplier<MetadataImage> image, LongSupplier rate, ReplicationQuota quota) {
        this.self = self;
        this.image = image;
        this.rate = rate;
        this.quota = quota;
    }

    /** Whether partition {@code index} of {@code topic} waits for this round: throttled, and the quota used up. */
    boolean holdsBack(String topic, int index, long nowMs) {
        return isThrottled(topic, index) && quota.isExceeded(rate.getAsLong(), nowMs);
    }

    /** Counts {@code bytes} fetched for partition {@code index} of {@code topic} if it is throttled. */
    void fetched(String topic, int index, long bytes, long nowMs) {
        if (bytes > 0 && isThrottled(topic, index)) {
            quota.record(bytes, nowMs);
        }
    }

    /** Named by the topic's throttled-replica list and out of the ISR. */
    boolean isThrottled(String topic, int index) {
        MetadataImage now = image.get();
        TopicImage t = now.topic(topic);
        if (t == null) {
            return false;
        }
        String replicas = t.configs().get(THROTTLED_REPLICAS);
        if (replicas == null) {
            return false;
        }
        return !Assignments.inIsr(now, t, index, self)
                && names(replicas.trim(), index, self); // the cheap check first: most replicas are in sync
    }

    /** Whether a throttled-replica list ({@code *}, or {@code partition:broker,...}) names replica {@code broker}. */
    static boolean names(String list, int partition, int broker) {
        if (list.equals("*")) {
            return true;
        }
        String wanted = partition + ":" + broker;
        for (String entry : list.split(",")) {
            if (entry.trim().equals(wanted)) {
                return true;
            }
        }
        return false;
    }
}
