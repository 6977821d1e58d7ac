package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Where new partitions' replicas go: striped over the serving (unfenced) brokers, partition {@code p} starting at
 * broker {@code (start + p) mod n} of a list and taking the next ones, so leaders (the first replicas) and followers
 * spread evenly, from a random start so that small topics do not all begin on the same broker. The list takes the
 * racks ({@code broker.rack}) in turn, one broker of each, so that a partition's replicas are on as many racks as
 * there are (a broker without a rack counts as a rack of its own kind, {@code ""}), as Kafka's rack-aware
 * placement. Stateless.
 */
final class ReplicaPlacement {

    private ReplicaPlacement() {}

    /**
     * The replicas of {@code count} partitions.
     *
     * @throws InvalidReplicationFactorException if fewer brokers serve than {@code replicationFactor}
     */
    static List<List<Integer>> place(MetadataImage image, int count, int replicationFactor) {
        List<Integer> serving = rackAlternating(image);
        if (replicationFactor < 1 || replicationFactor > serving.size()) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + replicationFactor
                    + " time(s): The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + serving.size() + " broker(s) are registered.");
        }
        int start = ThreadLocalRandom.current().nextInt(serving.size());
        List<List<Integer>> replicas = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            List<Integer> partition = new ArrayList<>(replicationFactor);
            for (int r = 0; r < replicationFactor; r++) {
                partition.add(serving.get((start + p + r) % serving.size()));
            }
            replicas.add(partition);
        }
        return replicas;
    }

    /** The serving brokers, one of each rack in turn (racks in name order, brokers by id within a rack). */
    static List<Integer> rackAlternating(MetadataImage image) {
        TreeMap<String, List<Integer>> byRack = new TreeMap<>();
        for (BrokerImage broker : image.brokers().values()) {
            if (!broker.fenced()) {
                byRack.computeIfAbsent(broker.rack(), r -> new ArrayList<>()).add(broker.nodeId());
            }
        }
        List<Integer> alternating = new ArrayList<>();
        for (List<Integer> rack : byRack.values()) {
            rack.sort(null);
        }
        for (int i = 0; !byRack.isEmpty(); i++) {
            boolean any = false;
            for (List<Integer> rack : byRack.values()) {
                if (i < rack.size()) {
                    alternating.add(rack.get(i));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return alternating;
    }
}
