package io.piste.broker.group;

import io.piste.broker.partition.CoordinatorPartitions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed offsets of every group, in memory, written through an {@link OffsetLog} before they are visible:
 * an offset is fetched back only once it is durable, so a crash never takes back an offset a client was told is
 * committed. Thread-safe.
 *
 * <p>Transactional offsets (TxnOffsetCommit) are written the same way but stay pending, per producer, until the
 * transaction coordinator's marker on the group's partition of {@code __consumer_offsets} is durable and it calls
 * {@link #completeTransaction}: COMMIT makes them the committed offsets (each only if written after the partition's
 * committed offset, see {@link OrderedOffset}), ABORT drops them. Meanwhile OffsetFetch with requireStable asks
 * {@link #hasPendingTransactionalOffset}, offsets retention keeps the partition's committed offset and the group,
 * and deletions write their tombstones over the pending offsets too.
 */
public final class GroupOffsets {

    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsets.class);

    private final OffsetLog log;
    private final ToIntFunction<String> offsetsPartition;
    private final Map<String, Map<TopicPartition, OrderedOffset>> offsets = new ConcurrentHashMap<>();
    /** Writes not yet durable (and so not yet applied), per group; guarded by itself. */
    private final Map<String, Integer> inFlight = new HashMap<>();
    /** Guarded by itself, as are {@link #writeOrder} and every change to {@link #offsets}. */
    private final PendingTransactionalOffsets pending = new PendingTransactionalOffsets();

    private final CoordinatorPartitions partitions;

    private long writeOrder;

    /** A single node's: every group is coordinated here. */
    public GroupOffsets(OffsetLog log, ToIntFunction<String> offsetsPartition) {
        this(log, offsetsPartition, CoordinatorPartitions.everyPartition());
    }

    /**
     * @param offsetsPartition the partition of {@code __consumer_offsets} a group's records go to (the coordinator
     *     names a partition when it completes a transaction)
     * @param partitions the partitions of {@code __consumer_offsets} whose groups this node coordinates
     */
    public GroupOffsets(OffsetLog log, ToIntFunction<String> offsetsPartition, CoordinatorPartitions partitions) {
        this.log = log;
        this.offsetsPartition = offsetsPartition;
        this.partitions = partitions;
    }

    /** The partitions of {@code __consumer_offsets} whose groups this node coordinates (loaded) or loads. */
    public CoordinatorPartitions partitions() {
        return partitions;
    }

    /**
     * NONE if this node coordinates the group now (its partition loaded), COORDINATOR_LOAD_IN_PROGRESS while it loads
     * the group's partition, NOT_COORDINATOR if it does not lead it.
     */
    public Errors coordination(String groupId) {
        return partitions.state(offsetsPartition.applyAsInt(groupId));
    }

    /** The partition of {@code __consumer_offsets} the group's records go to. */
    public int partitionOf(String groupId) {
        return offsetsPartition.applyAsInt(groupId);
    }

    /**
     * Forgets the committed and pending offsets of the groups of {@code offsetsPartition} (another node leads it now,
     * or it is about to be loaded again); returns how many groups had offsets.
     */
    public int unload(int offsetsPartition) {
        synchronized (pending) {
            pending.removeGroups(groupId -> partitionOf(groupId) == offsetsPartition);
            int before = offsets.size();
            offsets.keySet().removeIf(groupId -> partitionOf(groupId) == offsetsPartition);
            return before - offsets.size();
        }
    }

    /**
     * Writes, then applies and calls {@code done} with NONE; on error nothing changes. The write is handed to the
     * log under this object's lock, so writes reach the log, and are applied, in the order of the calls.
     */
    public void commit(String groupId, Map<TopicPartition, CommittedOffset> commit, Consumer<Errors> done) {
        write(
                groupId,
                OffsetLog.NO_PRODUCER_ID,
                (short) -1,
                commit,
                () -> commit.forEach((tp, offset) -> apply(groupId, tp, offset)),
                done);
    }

    /**
     * TxnOffsetCommit: writes {@code commit} in a transactional batch of the producer, then keeps it pending until
     * {@link #completeTransaction}, and calls {@code done}; on error nothing changes. Ordered with the group's other
     * writes as {@link #commit} is.
     */
    public void commitTransactional(
            String groupId,
            long producerId,
            short producerEpoch,
            Map<TopicPartition, CommittedOffset> commit,
            Consumer<Errors> done) {
        write(groupId, producerId, producerEpoch, commit, () -> applyTransactional(groupId, producerId, commit), done);
    }

    private void write(
            String groupId,
            long producerId,
            short producerEpoch,
            Map<TopicPartition, CommittedOffset> commit,
            Runnable applyWhenDurable,
            Consumer<Errors> done) {
        synchronized (inFlight) {
            inFlight.merge(groupId, 1, Integer::sum);
            log.append(groupId, producerId, producerEpoch, commit, error -> {
                if (error == Errors.NONE) {
                    applyWhenDurable.run();
                }
                synchronized (inFlight) {
                    inFlight.computeIfPresent(groupId, (g, n) -> n == 1 ? null : n - 1);
                }
                done.accept(error);
            });
        }
    }

    /**
     * Settles the producer's pending offsets of the groups whose records are in partition {@code offsetsPartition}
     * of {@code __consumer_offsets}: with {@code commit} they become the committed offsets, otherwise they are
     * dropped. Called once the transaction's marker on that partition is durable (and by the load, at the marker).
     * A producer without pending offsets there is no error: its transaction may have committed no offsets here.
     */
    public void completeTransaction(int offsetsPartition, long producerId, boolean commit) {
        synchronized (pending) {
            Map<String, Map<TopicPartition, OrderedOffset>> settled = pending.remove(
                    producerId, groupId -> this.offsetsPartition.applyAsInt(groupId) == offsetsPartition);
            if (!commit) {
                return;
            }
            settled.forEach((groupId, byPartition) -> byPartition.forEach((tp, offset) -> {
                OrderedOffset current = committed(groupId, tp);
                if (current == null || offset.writeOrder() > current.writeOrder()) {
                    offsets.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>())
                            .put(tp, offset);
                } else {
                    LOG.info(
                            "Transactional offset of group {} for {} by producer {} not applied: a plain commit was"
                                    + " written after it",
                            StoredStrings.abbreviated(groupId),
                            tp,
                            producerId);
                }
            }));
        }
    }

    /** Whether a transaction not yet completed holds an offset of the group for {@code tp} (OffsetFetch). */
    public boolean hasPendingTransactionalOffset(String groupId, TopicPartition tp) {
        synchronized (pending) {
            return pending.has(groupId, tp);
        }
    }

    /** Whether a transaction not yet completed holds offsets of the group. */
    public boolean hasPendingTransactionalOffsets(String groupId) {
        synchronized (pending) {
            return !pending.partitions(groupId).isEmpty();
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
     * commit would delete that commit. A partition with a pending transactional offset keeps its offset, as in
     * Kafka: the tombstone would also delete the pending one. Returns how many offsets are being deleted.
     */
    int expire(String groupId, BiPredicate<TopicPartition, CommittedOffset> expired, Consumer<Errors> done) {
        synchronized (inFlight) {
            if (inFlight.containsKey(groupId)) {
                return 0;
            }
            Map<TopicPartition, CommittedOffset> tombstones = new HashMap<>();
            fetch(groupId).forEach((tp, offset) -> {
                if (expired.test(tp, offset) && !hasPendingTransactionalOffset(groupId, tp)) {
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

    /**
     * Applies one replayed or written plain record; a null offset deletes, and also drops the pending transactional
     * offsets of the partition (they were written before the tombstone).
     */
    void apply(String groupId, TopicPartition tp, CommittedOffset offset) {
        synchronized (pending) {
            long order = ++writeOrder;
            if (offset == null) {
                pending.supersede(groupId, tp);
                offsets.computeIfPresent(groupId, (g, byPartition) -> {
                    byPartition.remove(tp);
                    return byPartition.isEmpty() ? null : byPartition;
                });
            } else {
                offsets.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>())
                        .put(tp, new OrderedOffset(offset, order));
            }
        }
    }

    /** Applies one replayed or written transactional record: pending until its transaction completes. */
    void applyTransactional(String groupId, long producerId, Map<TopicPartition, CommittedOffset> commit) {
        synchronized (pending) {
            commit.forEach((tp, offset) -> {
                if (offset == null) {
                    // TxnOffsetCommit writes no tombstones; one found in the log deletes at once, as Kafka's replay.
                    apply(groupId, tp, null);
                } else {
                    pending.add(producerId, groupId, tp, new OrderedOffset(offset, ++writeOrder));
                }
            });
        }
    }

    private OrderedOffset committed(String groupId, TopicPartition tp) {
        Map<TopicPartition, OrderedOffset> byPartition = offsets.get(groupId);
        return byPartition == null ? null : byPartition.get(tp);
    }

    /** A snapshot of the group's committed offsets (empty if none). */
    public Map<TopicPartition, CommittedOffset> fetch(String groupId) {
        Map<TopicPartition, OrderedOffset> byPartition = offsets.get(groupId);
        Map<TopicPartition, CommittedOffset> snapshot = new HashMap<>();
        if (byPartition != null) {
            byPartition.forEach((tp, offset) -> snapshot.put(tp, offset.offset()));
        }
        return snapshot;
    }

    public Set<String> groupIds() {
        return Set.copyOf(offsets.keySet());
    }

    public boolean hasOffsets(String groupId) {
        return offsets.containsKey(groupId);
    }

    /**
     * Deletes the offsets of {@code partitions} that the group has, committed or pending (OffsetDelete), through the
     * log; partitions without an offset are left alone. Calls {@code done} with NONE at once if there is nothing to
     * delete.
     */
    public void deletePartitions(String groupId, Set<TopicPartition> partitions, Consumer<Errors> done) {
        Map<TopicPartition, CommittedOffset> committed = fetch(groupId);
        Map<TopicPartition, CommittedOffset> tombstones = new HashMap<>();
        for (TopicPartition tp : partitions) {
            if (committed.containsKey(tp) || hasPendingTransactionalOffset(groupId, tp)) {
                tombstones.put(tp, null);
            }
        }
        writeTombstones(groupId, tombstones, done);
    }

    /** Deletes every offset of the group, committed or pending (DeleteGroups), through the log. */
    public void deleteGroup(String groupId, Consumer<Errors> done) {
        Map<TopicPartition, CommittedOffset> tombstones = new HashMap<>();
        for (TopicPartition tp : fetch(groupId).keySet()) {
            tombstones.put(tp, null);
        }
        synchronized (pending) {
            for (TopicPartition tp : pending.partitions(groupId)) {
                tombstones.put(tp, null);
            }
        }
        writeTombstones(groupId, tombstones, done);
    }

    private void writeTombstones(
            String groupId, Map<TopicPartition, CommittedOffset> tombstones, Consumer<Errors> done) {
        if (tombstones.isEmpty()) {
            done.accept(Errors.NONE);
            return;
        }
        commit(groupId, tombstones, done);
    }
}
