package io.piste.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.PartitionImage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * The leader's side of the replication throttle: what a follower's fetch gets of a partition whose topic names this
 * node's replica in {@code leader.replication.throttled.replicas}, once the bytes sent exceed the rate.
 */
class LeaderThrottleTest {

    private static final int SELF = 1;
    private static final int IN_SYNC = 2;
    private static final int NEW_REPLICA = 3;
    private static final long NOW = 1_000_000;
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    private final AtomicLong rate = new AtomicLong(1_000);

    /** Topic "t", two partitions led here with replicas 1, 2, 3 and ISR 1, 2; {@code throttled} as the list. */
    private static MetadataImage image(String throttled) {
        PartitionImage state =
                new PartitionImage(List.of(SELF, IN_SYNC, NEW_REPLICA), SELF, 0, 0, List.of(SELF, IN_SYNC), List.of());
        return MetadataImage.EMPTY.applyAll(List.of(
                new MetadataRecord.Topic("t", TOPIC_ID, 2),
                new MetadataRecord.TopicConfig(TOPIC_ID, Map.of(LeaderThrottle.THROTTLED_REPLICAS, throttled)),
                new MetadataRecord.Assignment(
                        TOPIC_ID, 0, List.of(List.of(SELF, IN_SYNC, NEW_REPLICA), List.of(SELF, IN_SYNC, NEW_REPLICA))),
                new MetadataRecord.PartitionState(TOPIC_ID, 0, state.withLeaderAndIsr(SELF, state.isr(), List.of())),
                new MetadataRecord.PartitionState(TOPIC_ID, 1, state.withLeaderAndIsr(SELF, state.isr(), List.of()))));
    }

    private LeaderThrottle throttle(String throttled) {
        MetadataImage image = image(throttled);
        return new LeaderThrottle(SELF, () -> image, rate::get, new ReplicationQuota(11, 1000));
    }

    @Test
    void shouldHoldBackAnOutOfSyncFollowerOfAThrottledPartitionOnceTheRateIsExceeded() {
        LeaderThrottle throttle = throttle("0:" + SELF + ",1:" + IN_SYNC);
        assertThat(throttle.holdsBack("t", 0, NEW_REPLICA, NOW))
                .as("nothing sent yet")
                .isFalse();

        throttle.sent("t", 0, 20_000, NOW); // 20 kB over at least ten 1 s windows: 2 kB/s, above 1 kB/s
        assertThat(throttle.holdsBack("t", 0, NEW_REPLICA, NOW)).isTrue();
        assertThat(throttle.holdsBack("t", 0, IN_SYNC, NOW))
                .as("an in-sync follower")
                .isFalse();
        assertThat(throttle.holdsBack("t", 1, NEW_REPLICA, NOW))
                .as("partition 1's list entry names another broker's replica")
                .isFalse();
        assertThat(throttle.holdsBack("other", 0, NEW_REPLICA, NOW))
                .as("an unknown topic")
                .isFalse();

        rate.set(Long.MAX_VALUE); // the rate removed: nothing held back
        assertThat(throttle.holdsBack("t", 0, NEW_REPLICA, NOW)).isFalse();
    }

    @Test
    void shouldCountOnlyTheBytesOfThrottledPartitions() {
        LeaderThrottle throttle = throttle("0:" + SELF);
        throttle.sent("t", 1, 1_000_000, NOW); // not throttled: not counted
        assertThat(throttle.holdsBack("t", 0, NEW_REPLICA, NOW)).isFalse();
        throttle.sent("t", 0, 20_000, NOW);
        assertThat(throttle.holdsBack("t", 0, NEW_REPLICA, NOW)).isTrue();
    }

    @Test
    void shouldThrottleEveryPartitionForAWildcard() {
        LeaderThrottle throttle = throttle("*");
        throttle.sent("t", 1, 20_000, NOW);
        assertThat(throttle.holdsBack("t", 0, NEW_REPLICA, NOW)).isTrue();
        assertThat(throttle.holdsBack("t", 1, NEW_REPLICA, NOW)).isTrue();
        assertThat(LeaderThrottle.NONE.holdsBack("t", 0, NEW_REPLICA, NOW)).isFalse();
    }
}
