package io.piste.broker.metadata;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/** A topic as the metadata image knows it: name, id, partition count and config overrides. Immutable. */
public record TopicImage(String name, Uuid topicId, int partitionCount, Map<String, String> configs) {

    public TopicImage {
        configs = Map.copyOf(configs);
    }

    TopicImage withPartitionCount(int count) {
        return new TopicImage(name, topicId, count, configs);
    }

    TopicImage withConfigs(Map<String, String> overrides) {
        return new TopicImage(name, topicId, partitionCount, overrides);
    }
}
