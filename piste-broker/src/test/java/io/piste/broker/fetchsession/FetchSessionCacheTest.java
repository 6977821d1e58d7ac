package io.piste.broker.fetchsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.junit.jupiter.api.Test;

class FetchSessionCacheTest {

    private static final long EVICTION_MS = 120_000;

    /** Session ids in the order given, so that tests can name sessions. */
    private static final class ScriptedRandom extends Random {
        private static final long serialVersionUID = 1L;
        private final int[] ids;
        private int next;

        ScriptedRandom(int... ids) {
            this.ids = ids;
        }

        @Override
        public int nextInt(int bound) {
            return ids[next++];
        }
    }

    private static LinkedHashMap<SessionPartitionKey, CachedPartition> partitions(int count) {
        LinkedHashMap<SessionPartitionKey, CachedPartition> map = new LinkedHashMap<>();
        for (int p = 0; p < count; p++) {
            SessionPartitionKey key = SessionPartitionKey.of(false, Uuid.ZERO_UUID, "t", p);
            map.put(key, new CachedPartition(key, Uuid.ZERO_UUID, "t", new FetchPartition().setPartition(p)));
        }
        return map;
    }

    private static int create(FetchSessionCache cache, long nowMs, int size) {
        return create(cache, nowMs, size, false);
    }

    private static int create(FetchSessionCache cache, long nowMs, int size, boolean privileged) {
        return cache.maybeCreateSession(nowMs, privileged, size, false, () -> partitions(size));
    }

    @Test
    void shouldGiveUniqueNonZeroIds() {
        FetchSessionCache cache = new FetchSessionCache(10, EVICTION_MS, new ScriptedRandom(0, 5, 5, 0, 7));
        assertThat(create(cache, 0, 1)).isEqualTo(5);
        assertThat(create(cache, 0, 1)).isEqualTo(7);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.partitionCount()).isEqualTo(2);
    }

    @Test
    void shouldCreateNothingWhenFullAndNoSessionIsEvictable() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, new Random(1));
        int a = create(cache, 0, 3);
        int b = create(cache, 10, 3);
        assertThat(create(cache, 20, 100)).isZero();
        assertThat(cache.get(a)).isNotNull();
        assertThat(cache.get(b)).isNotNull();
        assertThat(cache.evictionCount()).isZero();
    }

    @Test
    void shouldCreateNothingWhenSlotsAreZero() {
        FetchSessionCache cache = new FetchSessionCache(0, EVICTION_MS, new Random(1));
        assertThat(create(cache, 0, 3)).isZero();
        assertThat(cache.size()).isZero();
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedSessionOnceIdleLongerThanEvictionTime() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, new Random(1));
        int a = create(cache, 0, 50);
        int b = create(cache, 1_000, 1);
        // a is idle for more than the eviction time: it goes even though it is larger than the new session.
        int c = create(cache, EVICTION_MS + 1, 1);
        assertThat(c).isNotZero();
        assertThat(cache.get(a)).isNull();
        assertThat(cache.get(b)).isNotNull();
        assertThat(cache.evictionCount()).isEqualTo(1);
        assertThat(cache.partitionCount()).isEqualTo(2);
    }

    @Test
    void shouldEvictTheSmallestOldSessionForALargerOneOnly() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, new Random(1));
        int big = create(cache, 0, 10);
        int small = create(cache, 0, 2);
        long now = EVICTION_MS + 5_000;
        // Both in use (not idle) but older than the eviction time when last used: evictable by size.
        cache.touch(cache.get(big), now);
        cache.touch(cache.get(small), now);
        assertThat(create(cache, now + 1, 1)).as("smaller than every session").isZero();
        assertThat(create(cache, now + 1, 2)).as("as large as the smallest").isZero();
        int created = create(cache, now + 1, 3);
        assertThat(created).isNotZero();
        assertThat(cache.get(small)).isNull();
        assertThat(cache.get(big)).isNotNull();
    }

    @Test
    void shouldNotEvictYoungSessionsInUseForLargerOnes() {
        FetchSessionCache cache = new FetchSessionCache(1, EVICTION_MS, new Random(1));
        int a = create(cache, 0, 1);
        cache.touch(cache.get(a), 10);
        assertThat(create(cache, 20, 1_000)).isZero();
        assertThat(cache.get(a)).isNotNull();
    }

    @Test
    void shouldLetAFollowerEvictAYoungConsumerSessionButNotTheOtherWayRound() {
        FetchSessionCache cache = new FetchSessionCache(1, EVICTION_MS, new Random(1));
        int consumer = create(cache, 0, 5);
        int follower = create(cache, 10, 1, true);
        assertThat(follower).isNotZero();
        assertThat(cache.get(consumer)).isNull();
        assertThat(create(cache, 20, 100, false)).isZero();
        assertThat(cache.get(follower)).isNotNull();
    }

    @Test
    void shouldForgetRemovedSessionsInEveryIndex() {
        FetchSessionCache cache = new FetchSessionCache(1, EVICTION_MS, new Random(1));
        int a = create(cache, 0, 4);
        assertThat(cache.remove(a)).isNotNull();
        assertThat(cache.remove(a)).isNull();
        assertThat(cache.partitionCount()).isZero();
        assertThat(create(cache, 1, 1)).isNotZero();
        assertThat(cache.evictionCount()).isZero();
    }
}
