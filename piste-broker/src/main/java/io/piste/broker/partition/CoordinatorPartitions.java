package io.piste.broker.partition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.protocol.Errors;

/**
 * Which partitions of a coordinator's internal topic ({@code __consumer_offsets}, {@code __transaction_state}) this
 * node coordinates now, as Kafka's coordinator runtime tracks them: a partition led here is <em>loading</em> from
 * the moment its leadership is told until its state is replayed, then <em>loaded</em> at that leader epoch; one led
 * elsewhere is neither. A single node's coordinator owns every partition from its start-up load on
 * ({@link #everyPartition}).
 *
 * <p>Leadership is told on the metadata applying thread ({@link #lead}, {@link #resign}); the load and the drop run
 * later on the coordinator's own thread ({@link #loaded}), which checks that the leadership it loaded for is still
 * the current one. Thread-safe.
 */
public final class CoordinatorPartitions {

    private final boolean every;
    /** Partition to the leader epoch it is led at here; changed under this object's lock, read without it. */
    private final Map<Integer, Integer> leading = new ConcurrentHashMap<>();
    /** Partition to the leader epoch its state was loaded at. */
    private final Map<Integer, Integer> loaded = new ConcurrentHashMap<>();

    private CoordinatorPartitions(boolean every) {
        this.every = every;
    }

    /** A single node's: every partition is coordinated here, at epoch 0. */
    public static CoordinatorPartitions everyPartition() {
        return new CoordinatorPartitions(true);
    }

    /** A cluster node's: only the partitions whose leadership was told, once loaded. */
    public static CoordinatorPartitions byLeadership() {
        return new CoordinatorPartitions(false);
    }

    public boolean isEveryPartition() {
        return every;
    }

    /** This node leads {@code partition} at {@code leaderEpoch} from now on: it is loading until {@link #loaded}. */
    public synchronized void lead(int partition, int leaderEpoch) {
        leading.put(partition, leaderEpoch);
    }

    /** Another node leads {@code partition} (or none): requests for it get NOT_COORDINATOR from now on. */
    public synchronized void resign(int partition) {
        leading.remove(partition);
        loaded.remove(partition);
    }

    /** The leader epoch {@code partition} is led at here, or -1. */
    public int leaderEpoch(int partition) {
        return leading.getOrDefault(partition, -1);
    }

    /**
     * The state of {@code partition} was loaded for leader epoch {@code leaderEpoch}: served from now on if that is
     * still its leadership here. Returns whether it is (false: the load is stale, and its state is to be dropped).
     */
    public synchronized boolean loaded(int partition, int leaderEpoch) {
        if (leaderEpoch(partition) != leaderEpoch) {
            return false;
        }
        loaded.put(partition, leaderEpoch);
        return true;
    }

    /**
     * NONE if this node coordinates the keys of {@code partition} now, COORDINATOR_LOAD_IN_PROGRESS while it leads
     * it and loads it, NOT_COORDINATOR if it does not lead it.
     */
    public Errors state(int partition) {
        if (every) {
            return Errors.NONE;
        }
        Integer epoch = leading.get(partition);
        if (epoch == null) {
            return Errors.NOT_COORDINATOR;
        }
        return epoch.equals(loaded.get(partition)) ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /**
     * The leader epoch {@code partition} was loaded at and is still led at here (the coordinator epoch of its
     * transactions' markers); 0 on a single node; -1 if it is not coordinated here now.
     */
    public int coordinatorEpoch(int partition) {
        if (every) {
            return 0;
        }
        Integer epoch = loaded.get(partition);
        return epoch != null && epoch.equals(leading.get(partition)) ? epoch : -1;
    }
}
