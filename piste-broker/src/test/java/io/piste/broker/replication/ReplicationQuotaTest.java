package io.piste.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The replication throttle's rate, measured over its samples as Kafka measures it. */
class ReplicationQuotaTest {

    @Test
    void shouldCountAStartAsAtLeastAllButOneSampleLong() {
        ReplicationQuota quota = new ReplicationQuota(11, 1000);
        quota.record(5_000, 0);
        // 5,000 bytes over at least 10 s: 500 bytes/s.
        assertThat(quota.rate(0)).isEqualTo(500.0);
        assertThat(quota.isExceeded(499, 0)).isTrue();
        assertThat(quota.isExceeded(500, 0)).isFalse();
        assertThat(quota.isExceeded(Long.MAX_VALUE, 0)).isFalse();
    }

    @Test
    void shouldForgetSamplesOlderThanItsWindows() {
        ReplicationQuota quota = new ReplicationQuota(3, 1000);
        quota.record(3_000, 0);
        assertThat(quota.isExceeded(1000, 500)).isTrue(); // 3,000 bytes over 2 s
        // 4 s later the sample is gone: nothing fetched lately, nothing held back.
        assertThat(quota.rate(4_000)).isEqualTo(0.0);
        assertThat(quota.isExceeded(1, 4_000)).isFalse();
    }

    @Test
    void shouldMeasureASteadyRate() {
        ReplicationQuota quota = new ReplicationQuota(11, 1000);
        for (long t = 0; t < 30_000; t += 100) {
            quota.record(100, t); // 1,000 bytes/s
        }
        assertThat(quota.rate(30_000)).isBetween(900.0, 1100.0);
    }

    @Test
    void shouldReadKafkasThrottledReplicaLists() {
        assertThat(FollowerThrottle.names("*", 4, 2)).isTrue();
        assertThat(FollowerThrottle.names("0:1,4:2", 4, 2)).isTrue();
        assertThat(FollowerThrottle.names("0:1, 4:2", 4, 2)).isTrue();
        assertThat(FollowerThrottle.names("0:1,4:3", 4, 2)).isFalse();
        assertThat(FollowerThrottle.names("14:2", 4, 2)).isFalse();
        assertThat(FollowerThrottle.names("", 4, 2)).isFalse();
    }
}
