package io.piste.broker.handler;

import io.piste.broker.cleaner.CompactedTopics;
import io.piste.broker.config.DynamicBrokerConfigs;
import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Finds partitions through the current metadata image and the log manager: a partition is found only while the
 * image holds its topic and says this node leads it, so a topic being deleted is unknown as soon as the image says
 * so, and a partition whose leadership moved away is refused as soon as the image says so.
 */
final class MetadataPartitionLookup implements PartitionLookup {

    private final Controller controller;
    private final LogManager logManager;
    private final int nodeId;
    private final ConcurrentHashMap<String, Policy> policies = new ConcurrentHashMap<>();

    private record Policy(TopicImage topic, DynamicBrokerConfigs broker, boolean compacted) {}

    MetadataPartitionLookup(Controller controller, LogManager logManager, int nodeId) {
        this.controller = controller;
        this.logManager = logManager;
        this.nodeId = nodeId;
    }

    @Override
    public String topicName(Uuid topicId) {
        TopicImage topic = controller.image().topic(topicId);
        return topic == null ? null : topic.name();
    }

    @Override
    public Partition partition(String topic, int index) {
        MetadataImage image = controller.image();
        TopicImage known = image.topic(topic);
        return known == null || !Assignments.leads(image, known, index, nodeId)
                ? null
                : logManager.servingPartition(known.name(), index);
    }

    @Override
    public Partition followedPartition(String topic, int index) {
        MetadataImage image = controller.image();
        TopicImage known = image.topic(topic);
        return known == null
                        || !Assignments.isReplica(image, known, index, nodeId)
                        || Assignments.leads(image, known, index, nodeId)
                ? null
                : logManager.servingPartition(known.name(), index);
    }

    /**
     * Parsed once per topic image and broker config, not per produce: the images are immutable and replaced on
     * change, so a cached answer is valid while both are the same instances.
     */
    @Override
    public boolean isCompacted(String topic) {
        TopicImage known = controller.image().topic(topic);
        if (known == null) {
            policies.remove(topic);
            return false;
        }
        DynamicBrokerConfigs broker = logManager.brokerConfigs();
        Policy cached = policies.get(topic);
        if (cached == null || cached.topic() != known || cached.broker() != broker) {
            cached = new Policy(known, broker, CompactedTopics.isCompacted(broker, known.configs()));
            policies.put(topic, cached);
        }
        return cached.compacted();
    }

    /**
     * As {@link PartitionLookup#missingPartitionError}, and {@code NOT_LEADER_OR_FOLLOWER} for a partition of the
     * topic that another node leads (or nobody, between two leaders), that this node leads but whose log it has not
     * opened yet (a cluster node creates a new topic's logs after its image shows the topic), and while the
     * partition's log is being recovered after an unclean stop: a retriable error on which Kafka's clients refresh
     * their metadata and try again, as they do while a Kafka broker has not loaded a partition it leads yet.
     */
    @Override
    public Errors missingPartitionError(String topic, int index) {
        MetadataImage image = controller.image();
        TopicImage known = image.topic(topic);
        boolean assigned = known != null && index >= 0 && index < known.partitionCount();
        if (assigned && !Assignments.leads(image, known, index, nodeId)) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        if (logManager.failedToOpen(topic, index)) {
            return Errors.KAFKA_STORAGE_ERROR;
        }
        return assigned || logManager.recovering(topic, index)
                ? Errors.NOT_LEADER_OR_FOLLOWER
                : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }
}
