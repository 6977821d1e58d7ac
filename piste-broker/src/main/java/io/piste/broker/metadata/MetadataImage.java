package io.piste.broker.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * The state of the cluster at one point of the metadata log: topics by name and by id, and the next producer
 * id block. Immutable: each applied record makes a new image, so readers never lock.
 */
public final class MetadataImage {

    static final MetadataImage EMPTY = new MetadataImage(Map.of(), Map.of(), 0L);

    private final Map<String, TopicImage> topicsByName;
    private final Map<Uuid, TopicImage> topicsById;
    private final long producerIdBlockEnd;

    private MetadataImage(Map<String, TopicImage> byName, Map<Uuid, TopicImage> byId, long producerIdBlockEnd) {
        this.topicsByName = byName;
        this.topicsById = byId;
        this.producerIdBlockEnd = producerIdBlockEnd;
    }

    public TopicImage topic(String name) {
        return topicsByName.get(name);
    }

    public TopicImage topic(Uuid id) {
        return topicsById.get(id);
    }

    public Collection<TopicImage> topics() {
        return Collections.unmodifiableCollection(topicsByName.values());
    }

    /** Producer ids below this value may have been handed out already. */
    public long producerIdBlockEnd() {
        return producerIdBlockEnd;
    }

    MetadataImage apply(MetadataRecord record) {
        if (record instanceof MetadataRecord.Topic t) {
            return withTopic(new TopicImage(t.name(), t.topicId(), t.partitionCount(), Map.of()));
        } else if (record instanceof MetadataRecord.RemoveTopic r) {
            TopicImage topic = topicsById.get(r.topicId());
            if (topic == null) {
                return this;
            }
            Map<String, TopicImage> byName = new HashMap<>(topicsByName);
            Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
            byName.remove(topic.name());
            byId.remove(topic.topicId());
            return new MetadataImage(byName, byId, producerIdBlockEnd);
        } else if (record instanceof MetadataRecord.PartitionCount p) {
            TopicImage topic = topicsById.get(p.topicId());
            return topic == null ? this : withTopic(topic.withPartitionCount(p.partitionCount()));
        } else if (record instanceof MetadataRecord.TopicConfig c) {
            TopicImage topic = topicsById.get(c.topicId());
            return topic == null ? this : withTopic(topic.withConfigs(c.configs()));
        } else if (record instanceof MetadataRecord.ProducerIds ids) {
            return new MetadataImage(topicsByName, topicsById, Math.max(producerIdBlockEnd, ids.blockEnd()));
        }
        throw new IllegalArgumentException("unknown metadata record " + record);
    }

    private MetadataImage withTopic(TopicImage topic) {
        Map<String, TopicImage> byName = new HashMap<>(topicsByName);
        Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
        byName.put(topic.name(), topic);
        byId.put(topic.topicId(), topic);
        return new MetadataImage(byName, byId, producerIdBlockEnd);
    }
}
