package io.piste.broker.group;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The committed offsets of every group, in memory, written through an {@link OffsetLog} before they are visible:
 * an offset is fetched back only once it is durable, so a crash never takes back an offset a client was told is
 * committed. Thread-safe.
 */
public final class GroupOffsets {

    private final OffsetLog log;
    private final Map<String, Map<TopicPartition, CommittedOffset>> offsets = new ConcurrentHashMap<>();
    /** Writes not yet durable (and so not yet applied), per group; guarded by itself. */
    private final Map<String, Integer> inFlight = new HashMap<>();

    public GroupOffsets(OffsetLog log) {
        this.log = log;
    }

    /**
     * Writes, then applies and calls {@code done} with NONE; on error nothing changes. The write is handed to the
     * log under this object's lock, so writes reach the log, and are applied, in the order of the calls.
     */
    public void commit(String groupId, Map<TopicPartition, CommittedOffset> commit, Consumer<Errors> done) {
        synchronized (inFlight) {
            inFlight.merge(groupId, 1, Integer::sum);
            log.append(groupId, commit, error -> {
                if (error == Errors.NONE) {
                    commit.forEach((tp, offset) -> apply(groupId, tp, offset));
                }
                synchronized (inFlight) {
                    inFlight.computeIfPresent(groupId, (g, n) -> n == 1 ? null : n - 1);
                }
                done.accept(error);
            });
        }
    }

    /** Whether a write of the group is not yet durable. */
    boolean hasWriteInFlight(String groupId) {
        synchronized (inFlight) {
            return inFlight.containsKey(groupId);
        }
    }

    /**
     * Deletes the group's offsets that {@code expired} selects, through the log, unless a write of the group is in
     * flight: its offsets in memory would not be the last ones written, and a tombstone written after a newer
     * commit would delete that commit. Returns how many offsets are being deleted.
     */
    int expire(String groupId, BiPredicate<TopicPartition, CommittedOffset> expired, Consumer<Errors> done) {
        synchronized (inFlight) {
            if (inFlight.containsKey(groupId)) {
                return 0;
            }
            Map<TopicPartition, CommittedOffset> tombstones = new HashMap<>();
            fetch(groupId).forEach((tp, offset) -> {
                if (expired.test(tp, offset)) {
                    tombstones.put(tp, null);
                }
            });
            if (!tombstones.isEmpty()) {
                // Appended while holding the lock, so a commit that follows is written after the tombstones.
                commit(groupId, tombstones, done);
            }
            return tombstones.size();
        }
    }

    /** Applies one replayed or written record; a null offset deletes. */
    void apply(String groupId, TopicPartition tp, CommittedOffset offset) {
        if (offset == null) {
            offsets.computeIfPresent(groupId, (g, byPartition) -> {
                byPartition.remove(tp);
                return byPartition.isEmpty() ? null : byPartition;
            });
        } else {
            offsets.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>()).put(tp, offset);
        }
    }

    /** A snapshot of the group's offsets (empty if none). */
    public Map<TopicPartition, CommittedOffset> fetch(String groupId) {
        Map<TopicPartition, CommittedOffset> byPartition = offsets.get(groupId);
        return byPartition == null ? Map.of() : new HashMap<>(byPartition);
    }

    public Set<String> groupIds() {
        return Set.copyOf(offsets.keySet());
    }

    public boolean hasOffsets(String groupId) {
        return offsets.containsKey(groupId);
    }

    /**
     * Deletes the offsets of {@code partitions} that the group has (OffsetDelete), through the log; partitions
     * without an offset are left alone. Calls {@code done} with NONE at once if there is nothing to delete.
     */
    public void deletePartitions(String groupId, Set<TopicPartition> partitions, Consumer<Errors> done) {
        Map<TopicPartition, CommittedOffset> committed = fetch(groupId);
        Map<TopicPartition, CommittedOffset> tombstones = new HashMap<>();
        for (TopicPartition tp : partitions) {
            if (committed.containsKey(tp)) {
                tombstones.put(tp, null);
            }
        }
        if (tombstones.isEmpty()) {
            done.accept(Errors.NONE);
            return;
        }
        commit(groupId, tombstones, done);
    }

    /** Deletes every offset of the group (DeleteGroups), through the log. */
    public void deleteGroup(String groupId, Consumer<Errors> done) {
        Map<TopicPartition, CommittedOffset> tombstones = new HashMap<>();
        for (TopicPartition tp : fetch(groupId).keySet()) {
            tombstones.put(tp, null);
        }
        if (tombstones.isEmpty()) {
            done.accept(Errors.NONE);
            return;
        }
        commit(groupId, tombstones, done);
    }
}
