package io.piste.broker.interbroker;

import io.piste.broker.txn.MarkerWriter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The coordinator's markers, each written where its partition is led: by this node's own writer for the partitions
 * it leads (or that no longer exist, which it answers for), by a WriteTxnMarkers request to the leader for the
 * others ({@link RemoteMarkers}). A partition without a leader now fails with {@code NOT_LEADER_OR_FOLLOWER}, which
 * the coordinator retries. Calls {@code done} once, with every partition's failure.
 */
public final class RoutedMarkers implements MarkerWriter {

    /** What {@code leaderOf} answers for a partition that no longer exists: this node's writer says so. */
    public static final int UNKNOWN_PARTITION = -2;

    private final int self;
    private final ToIntFunction<TopicPartition> leaderOf;
    private final MarkerWriter local;
    private final RemoteMarkers remote;

    /** Writes markers to the partitions another node leads. */
    @FunctionalInterface
    public interface RemoteMarkers {
        /** As {@link MarkerWriter#write}, to broker {@code leader}, which leads every one of {@code partitions}. */
        void write(
                int leader,
                long producerId,
                short producerEpoch,
                boolean commit,
                short transactionVersion,
                int coordinatorEpoch,
                Set<TopicPartition> partitions,
                Consumer<Map<TopicPartition, Errors>> done);
    }

    /**
     * @param leaderOf a partition's leader now: a node id, -1 for none, {@link #UNKNOWN_PARTITION} if it is gone
     */
    public RoutedMarkers(int self, ToIntFunction<TopicPartition> leaderOf, MarkerWriter local, RemoteMarkers remote) {
        this.self = self;
        this.leaderOf = leaderOf;
        this.local = local;
        this.remote = remote;
    }

    @Override
    public void write(
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            int coordinatorEpoch,
            Set<TopicPartition> partitions,
            Consumer<Map<TopicPartition, Errors>> done) {
        Set<TopicPartition> mine = new HashSet<>();
        Map<Integer, Set<TopicPartition>> byLeader = new HashMap<>();
        Map<TopicPartition, Errors> failed = new ConcurrentHashMap<>();
        for (TopicPartition tp : partitions) {
            int leader = leaderOf.applyAsInt(tp);
            if (leader == self || leader == UNKNOWN_PARTITION) {
                mine.add(tp);
            } else if (leader < 0) {
                failed.put(tp, Errors.NOT_LEADER_OR_FOLLOWER);
            } else {
                byLeader.computeIfAbsent(leader, id -> new HashSet<>()).add(tp);
            }
        }
        AtomicInteger outstanding = new AtomicInteger(1 + byLeader.size() + (mine.isEmpty() ? 0 : 1));
        Consumer<Map<TopicPartition, Errors>> oneDone = errors -> {
            failed.putAll(errors);
            if (outstanding.decrementAndGet() == 0) {
                done.accept(Map.copyOf(failed));
            }
        };
        if (!mine.isEmpty()) {
            local.write(producerId, producerEpoch, commit, transactionVersion, coordinatorEpoch, mine, oneDone);
        }
        byLeader.forEach((leader, led) -> remote.write(
                leader, producerId, producerEpoch, commit, transactionVersion, coordinatorEpoch, led, oneDone));
        oneDone.accept(Map.of());
    }
}
