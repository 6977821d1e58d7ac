package io.piste.broker.replication;

/**
 * Told by the {@link ReplicaManager} when this node starts or stops leading a partition of the topics it was
 * registered for (the coordinators' internal topics), after the partition itself was told ({@code Partition.lead},
 * {@code Partition.stopLeading}). Called on the metadata applying thread, under the replica manager's lock, in the
 * order of the images: an implementation only records the change and hands any slow work (a load) to a thread of
 * its own.
 */
public interface LeadershipListener {

    /** This node leads {@code partition} of {@code topic} at {@code leaderEpoch} (newly, or at a newer epoch). */
    void becameLeader(String topic, int partition, int leaderEpoch);

    /** This node no longer leads {@code partition} of {@code topic} (another node does, none, or it is gone). */
    void stoppedLeading(String topic, int partition);
}
