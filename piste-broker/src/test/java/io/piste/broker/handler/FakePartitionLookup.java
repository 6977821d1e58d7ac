package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/** Topics by name and id with their partitions, as the metadata image and the log manager would hold them. */
final class FakePartitionLookup implements PartitionLookup {

    private final Map<Uuid, String> names = new HashMap<>();
    private final Map<String, Map<Integer, Partition>> partitions = new HashMap<>();

    /** Adds {@code partition} to its topic, known by {@code topicId} too. */
    FakePartitionLookup add(Uuid topicId, Partition partition) {
        names.put(topicId, partition.topic());
        partitions.computeIfAbsent(partition.topic(), t -> new HashMap<>()).put(partition.index(), partition);
        return this;
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
