package io.piste.broker.fetchsession;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * The broker's fetch sessions, at most {@code max.incremental.fetch.session.cache.slots} of them, with Kafka's
 * eviction rule. When the cache is full, a new session may replace:
 * <ol>
 * <li>the least recently used session, if it has been idle for more than
 *     {@code min.incremental.fetch.session.eviction.ms}; otherwise</li>
 * <li>the least valuable "evictable" session, if the new one is worth at least as much. Value orders
 *     privileged (follower) sessions above consumer sessions, then more partitions above fewer. A session is
 *     evictable once it is older than the eviction time when it was last used; a consumer session is always evictable
 *     by a follower's.</li>
 * </ol>
 * Otherwise no session is created and the fetch is answered session-less (session id 0).
 *
 * <p>Thread-safe: every method holds the cache's monitor; where a session is read too, its monitor is taken after the
 * cache's, never the other way round.
 */
public final class FetchSessionCache {

    private record LastUsedKey(long lastUsedMs, int id) implements Comparable<LastUsedKey> {
        @Override
        public int compareTo(LastUsedKey o) {
            int c = Long.compare(lastUsedMs, o.lastUsedMs);
            return c != 0 ? c : Integer.compare(id, o.id);
        }
    }

    private record EvictableKey(boolean privileged, int size, int id) implements Comparable<EvictableKey> {
        @Override
        public int compareTo(EvictableKey o) {
            int c = Boolean.compare(privileged, o.privileged);
            if (c == 0) {
                c = Integer.compare(size, o.size);
            }
            return c != 0 ? c : Integer.compare(id, o.id);
        }
    }

    private final int maxSessions;
    private final long evictionMs;
    private final Random random;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();
    private final TreeMap<LastUsedKey, FetchSession> lastUsed = new TreeMap<>();
    private final TreeMap<EvictableKey, FetchSession> evictableByAll = new TreeMap<>();
    private final TreeMap<EvictableKey, FetchSession> evictableByPrivileged = new TreeMap<>();
    private long partitionCount;
    private long evictionCount;

    /**
     * @param maxSessions {@code max.incremental.fetch.session.cache.slots}; 0 disables sessions
     * @param evictionMs {@code min.incremental.fetch.session.eviction.ms}
     * @param random where session ids come from
     */
    public FetchSessionCache(int maxSessions, long evictionMs, Random random) {
        if (maxSessions < 0 || evictionMs < 0) {
            throw new IllegalArgumentException(
                    "maxSessions=" + maxSessions + " and evictionMs=" + evictionMs + " must be at least 0");
        }
        this.maxSessions = maxSessions;
        this.evictionMs = evictionMs;
        this.random = random;
    }

    public synchronized FetchSession get(int id) {
        return sessions.get(id);
    }

    public synchronized int size() {
        return sessions.size();
    }

    /** Partitions over all sessions, as last counted when each session was used. */
    public synchronized long partitionCount() {
        return partitionCount;
    }

    public synchronized long evictionCount() {
        return evictionCount;
    }

    /**
     * Creates a session if there is room or one can be evicted for it.
     *
     * @param size how many partitions the new session will hold
     * @param partitions called only when the session is created
     * @return the new session's id, or {@link FetchMetadata#INVALID_SESSION_ID}
     */
    synchronized int maybeCreateSession(
            long nowMs,
            boolean privileged,
            int size,
            boolean usesTopicIds,
            Supplier<LinkedHashMap<SessionPartitionKey, CachedPartition>> partitions) {
        if (maxSessions == 0 || (sessions.size() >= maxSessions && !tryEvict(privileged, size, nowMs))) {
            return FetchMetadata.INVALID_SESSION_ID;
        }
        FetchSession session = new FetchSession(newSessionId(), privileged, usesTopicIds, nowMs, partitions.get());
        sessions.put(session.id(), session);
        touch(session, nowMs);
        return session.id();
    }

    /** Removes a session, if present; a fetch still answering from it answers as usual. */
    public synchronized FetchSession remove(int id) {
        FetchSession session = sessions.get(id);
        if (session != null) {
            remove(session);
        }
        return session;
    }

    synchronized void remove(FetchSession session) {
        if (sessions.remove(session.id(), session)) {
            lastUsed.remove(new LastUsedKey(session.lastUsedMs, session.id()));
            EvictableKey key = evictableKey(session);
            evictableByAll.remove(key);
            evictableByPrivileged.remove(key);
            partitionCount -= Math.max(0, session.cachedSize);
        }
    }

    /** Records a use of {@code session}: its last-used time, size and whether it may now be evicted. */
    synchronized void touch(FetchSession session, long nowMs) {
        if (sessions.get(session.id()) != session) {
            return;
        }
        lastUsed.remove(new LastUsedKey(session.lastUsedMs, session.id()));
        session.lastUsedMs = nowMs;
        lastUsed.put(new LastUsedKey(nowMs, session.id()), session);
        if (session.cachedSize >= 0) {
            EvictableKey old = evictableKey(session);
            evictableByAll.remove(old);
            evictableByPrivileged.remove(old);
            partitionCount -= session.cachedSize;
        }
        session.cachedSize = session.size();
        EvictableKey key = evictableKey(session);
        boolean oldEnough = nowMs - session.creationMs() > evictionMs;
        if (!session.privileged() || oldEnough) {
            evictableByPrivileged.put(key, session);
        }
        if (oldEnough) {
            evictableByAll.put(key, session);
        }
        partitionCount += session.cachedSize;
    }

    private boolean tryEvict(boolean privileged, int size, long nowMs) {
        Map.Entry<LastUsedKey, FetchSession> oldest = lastUsed.firstEntry();
        if (oldest == null) {
            return false;
        }
        if (nowMs - oldest.getKey().lastUsedMs() > evictionMs) {
            evict(oldest.getValue());
            return true;
        }
        TreeMap<EvictableKey, FetchSession> evictable = privileged ? evictableByPrivileged : evictableByAll;
        Map.Entry<EvictableKey, FetchSession> least = evictable.firstEntry();
        // The new key has id 0, below every real id: an equally valuable session is kept, as in Kafka.
        if (least == null || new EvictableKey(privileged, size, 0).compareTo(least.getKey()) < 0) {
            return false;
        }
        evict(least.getValue());
        return true;
    }

    private void evict(FetchSession session) {
        remove(session);
        evictionCount++;
    }

    private static EvictableKey evictableKey(FetchSession session) {
        return new EvictableKey(session.privileged(), session.cachedSize, session.id());
    }

    private int newSessionId() {
        int id;
        do {
            id = random.nextInt(Integer.MAX_VALUE);
        } while (id == FetchMetadata.INVALID_SESSION_ID || sessions.containsKey(id));
        return id;
    }
}
