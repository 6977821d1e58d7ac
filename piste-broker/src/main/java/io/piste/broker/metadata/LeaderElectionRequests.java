package io.piste.broker.metadata;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * The partitions an ElectLeaders request is about, as the image knows them: every partition when it names none,
 * and the outcome for a partition that does not exist. Stateless.
 */
public final class LeaderElectionRequests {

    private LeaderElectionRequests() {}

    /** {@code named} itself, or when null every partition of every topic (in topic name order). */
    public static Set<TopicPartition> partitions(MetadataImage image, Set<TopicPartition> named) {
        if (named != null) {
            return named;
        }
        Set<TopicPartition> all = new LinkedHashSet<>();
        image.topics().stream().sorted(Comparator.comparing(TopicImage::name)).forEach(topic -> {
            for (int p = 0; p < topic.partitionCount(); p++) {
                all.add(new TopicPartition(topic.name(), p));
            }
        });
        return all;
    }

    /** Whether the image has this partition (a negative or too high id, or an unknown topic, is not). */
    public static boolean exists(MetadataImage image, TopicPartition partition) {
        TopicImage topic = image.topic(partition.topic());
        return topic != null && partition.partition() >= 0 && partition.partition() < topic.partitionCount();
    }

    public static ApiError unknown(TopicPartition partition) {
        return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + partition);
    }

    /** A single node: its only replica leads each partition it has, so no election is ever needed. */
    static Map<TopicPartition, ApiError> singleNode(MetadataImage image, Set<TopicPartition> named) {
        Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
        for (TopicPartition partition : partitions(image, named)) {
            results.put(
                    partition,
                    exists(image, partition) ? new ApiError(Errors.ELECTION_NOT_NEEDED) : unknown(partition));
        }
        return results;
    }
}
