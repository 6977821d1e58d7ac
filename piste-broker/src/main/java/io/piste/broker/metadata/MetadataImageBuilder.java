package io.piste.broker.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * Applies the records of one change to an image, copying each part of it (topics, brokers, a topic's partitions)
 * once, when the change first touches it, rather than at every record: a change of 1,000 partition records on a
 * topic of 100,000 partitions copies that topic's list once, not 1,000 times. Used once: {@link #build()} hands
 * its maps to the new image.
 */
final class MetadataImageBuilder {
    private final MetadataImage base;
    private Map<String, TopicImage> topicsByName;
    private Map<Uuid, TopicImage> topicsById;
    private long producerIdBlockEnd;
    private Map<String, Map<String, String>> brokerConfigs;
    private Map<Integer, BrokerImage> brokers;
    private Map<Uuid, List<PartitionImage>> partitions;
    /** The topics whose partition list is this builder's own copy, to change in place. */
    private final Set<Uuid> ownPartitionLists = new HashSet<>();

    private boolean built;

    MetadataImageBuilder(MetadataImage base) {
        this.base = base;
        this.topicsByName = base.topicsByName;
        this.topicsById = base.topicsById;
        this.producerIdBlockEnd = base.producerIdBlockEnd;
        this.brokerConfigs = base.brokerConfigs;
        this.brokers = base.brokers;
        this.partitions = base.partitions;
    }

    /**
     * The image as the records applied so far leave it, over this builder's maps without copying them: for the
     * checks of the next record only, never kept (the maps change with the next record).
     */
    MetadataImage view() {
        return new MetadataImage(topicsByName, topicsById, producerIdBlockEnd, brokerConfigs, brokers, partitions);
    }

    /** Applies {@code record}, unchecked (see {@link MetadataChangeCheck}). */
    MetadataImageBuilder apply(MetadataRecord record) {
        if (built) {
            throw new IllegalStateException("this builder already built its image");
        }
        if (record instanceof MetadataRecord.Topic t) {
            putTopic(new TopicImage(t.name(), t.topicId(), t.partitionCount(), Map.of()));
        } else if (record instanceof MetadataRecord.RemoveTopic r) {
            TopicImage topic = topicsById.get(r.topicId());
            if (topic != null) {
                ownTopics();
                topicsByName.remove(topic.name());
                topicsById.remove(topic.topicId());
                if (partitions.containsKey(topic.topicId())) {
                    ownPartitions();
                    partitions.remove(topic.topicId());
                    ownPartitionLists.remove(topic.topicId());
                }
            }
        } else if (record instanceof MetadataRecord.PartitionCount p) {
            TopicImage topic = topicsById.get(p.topicId());
            if (topic != null) {
                putTopic(topic.withPartitionCount(p.partitionCount()));
            }
        } else if (record instanceof MetadataRecord.TopicConfig c) {
            TopicImage topic = topicsById.get(c.topicId());
            if (topic != null) {
                putTopic(topic.withConfigs(c.configs()));
            }
        } else if (record instanceof MetadataRecord.ProducerIds ids) {
            producerIdBlockEnd = Math.max(producerIdBlockEnd, ids.blockEnd());
        } else if (record instanceof MetadataRecord.BrokerConfigs b) {
            Map<String, Map<String, String>> next = new HashMap<>(brokerConfigs);
            if (b.configs().isEmpty()) {
                next.remove(b.scope());
            } else {
                next.put(b.scope(), Map.copyOf(b.configs()));
            }
            brokerConfigs = Map.copyOf(next);
        } else if (record instanceof MetadataRecord.BrokerRegistration b) {
            putBroker(new BrokerImage(b.nodeId(), b.epoch(), b.incarnation(), b.rack(), b.endpoints(), true));
        } else if (record instanceof MetadataRecord.BrokerFencing f) {
            BrokerImage broker = brokers.get(f.nodeId());
            if (broker != null && broker.epoch() == f.epoch()) {
                putBroker(broker.withFenced(f.fenced()));
            }
        } else if (record instanceof MetadataRecord.Assignment a) {
            List<PartitionImage> list = ownPartitionList(a.topicId());
            for (int i = 0; i < a.replicas().size(); i++) {
                PartitionImage initial = PartitionImage.initial(a.replicas().get(i));
                int index = a.firstPartition() + i;
                if (index < list.size()) {
                    list.set(index, initial);
                } else if (index == list.size()) {
                    list.add(initial);
                } else {
                    throw new IllegalArgumentException("assignment of partition " + index + " after " + list.size());
                }
            }
        } else if (record instanceof MetadataRecord.PartitionState p) {
            if (p.partition() < partitions.getOrDefault(p.topicId(), List.of()).size()) {
                ownPartitionList(p.topicId()).set(p.partition(), p.state());
            }
        } else {
            throw new IllegalArgumentException("unknown metadata record " + record);
        }
        return this;
    }

    MetadataImage build() {
        built = true;
        if (topicsByName == base.topicsByName
                && producerIdBlockEnd == base.producerIdBlockEnd
                && brokerConfigs == base.brokerConfigs
                && brokers == base.brokers
                && partitions == base.partitions) {
            return base;
        }
        for (Uuid topicId : ownPartitionLists) {
            partitions.put(topicId, Collections.unmodifiableList(partitions.get(topicId)));
        }
        return new MetadataImage(
                topicsByName,
                topicsById,
                producerIdBlockEnd,
                brokerConfigs,
                brokers,
                partitions == base.partitions ? partitions : Collections.unmodifiableMap(partitions));
    }

    private void putTopic(TopicImage topic) {
        ownTopics();
        topicsByName.put(topic.name(), topic);
        topicsById.put(topic.topicId(), topic);
    }

    private void ownTopics() {
        if (topicsByName == base.topicsByName) {
            topicsByName = new HashMap<>(base.topicsByName);
            topicsById = new HashMap<>(base.topicsById);
        }
    }

    private void putBroker(BrokerImage broker) {
        if (brokers == base.brokers) {
            brokers = new HashMap<>(base.brokers);
        }
        brokers.put(broker.nodeId(), broker);
    }

    private void ownPartitions() {
        if (partitions == base.partitions) {
            partitions = new HashMap<>(base.partitions);
        }
    }

    private List<PartitionImage> ownPartitionList(Uuid topicId) {
        ownPartitions();
        if (ownPartitionLists.add(topicId)) {
            partitions.put(topicId, new ArrayList<>(partitions.getOrDefault(topicId, List.of())));
        }
        return partitions.get(topicId);
    }
}
