package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Where new partitions' replicas go: striped over the serving (unfenced) brokers in id order, partition {@code p}
 * starting at broker {@code (start + p) mod n} and taking the next ones, so leaders (the first replicas) and
 * followers spread evenly, from a random start so that small topics do not all begin on the same broker (as Kafka's
 * striped placer; racks are not taken into account yet). Stateless.
 */
final class ReplicaPlacement {

    private ReplicaPlacement() {}

    /**
     * The replicas of {@code count} partitions.
     *
     * @throws InvalidReplicationFactorException if fewer brokers serve than {@code replicationFactor}
     */
    static List<List<Integer>> place(MetadataImage image, int count, int replicationFactor) {
        List<Integer> serving = new ArrayList<>();
        for (BrokerImage broker : image.brokers().values()) {
            if (!broker.fenced()) {
                serving.add(broker.nodeId());
            }
        }
        serving.sort(null);
        if (replicationFactor < 1 || replicationFactor > serving.size()) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + replicationFactor
                    + " time(s): The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + serving.size() + " broker(s) are registered.");
        }
        int start = serving.isEmpty() ? 0 : ThreadLocalRandom.current().nextInt(serving.size());
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
}
