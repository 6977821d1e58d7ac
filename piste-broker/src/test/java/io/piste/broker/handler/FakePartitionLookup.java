package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/** Topics by name and id with their partitions, as the metadata image and the log manager would hold them. */
final class FakePartitionLookup implements PartitionLookup {

    private final Map<Uuid, String> names = new HashMap<>();
    private final Map<String, Map<Integer, Partition>> partitions = new HashMap<>();
    private final Map<String, Map<Integer, Partition>> followed = new HashMap<>();

    /** Adds {@code partition} to its topic, known by {@code topicId} too. */
    FakePartitionLookup add(Uuid topicId, Partition partition) {
        names.put(topicId, partition.topic());
        partitions.computeIfAbsent(partition.topic(), t -> new HashMap<>()).put(partition.index(), partition);
        return this;
    }

    /** Adds {@code partition} as one this node follows: consumers may read it from Fetch v11 on. */
    FakePartitionLookup addFollowed(Uuid topicId, Partition partition) {
        names.put(topicId, partition.topic());
        followed.computeIfAbsent(partition.topic(), t -> new HashMap<>()).put(partition.index(), partition);
        return this;
    }

    @Override
    public Partition followedPartition(String topic, int index) {
        Map<Integer, Partition> topicPartitions = followed.get(topic);
        return topicPartitions == null ? null : topicPartitions.get(index);
    }

    @Override
    public Errors missingPartitionError(String topic, int index) {
        return followedPartition(topic, index) != null
                ? Errors.NOT_LEADER_OR_FOLLOWER
                : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    @Override
    public String topicName(Uuid topicId) {
        return names.get(topicId);
    }

    @Override
    public Partition partition(String topic, int index) {
        Map<Integer, Partition> topicPartitions = partitions.get(topic);
        return topicPartitions == null ? null : topicPartitions.get(index);
    }
}
