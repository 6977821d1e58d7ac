package io.piste.broker.metadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The state of the cluster at one point of the metadata log: topics by name and by id, the next producer
 * id block, the dynamic broker configs by scope, and the registered brokers. Immutable: each applied record makes a
 * new image, so readers never lock.
 */
public final class MetadataImage {

    /** The scope of the cluster-wide dynamic broker defaults (Kafka's BROKER resource with an empty name). */
    public static final String CLUSTER_DEFAULT = "default";

    public static final MetadataImage EMPTY = new MetadataImage(Map.of(), Map.of(), 0L, Map.of(), Map.of(), Map.of());

    // Package-private for MetadataImageBuilder, which copies them on first change; never changed once built.
    final Map<String, TopicImage> topicsByName;
    final Map<Uuid, TopicImage> topicsById;
    final long producerIdBlockEnd;
    final Map<String, Map<String, String>> brokerConfigs;
    final Map<Integer, BrokerImage> brokers;
    /** Each assigned topic's partitions, by index (a cluster's; the single node assigns none). */
    final Map<Uuid, List<PartitionImage>> partitions;

    MetadataImage(
            Map<String, TopicImage> byName,
            Map<Uuid, TopicImage> byId,
            long producerIdBlockEnd,
            Map<String, Map<String, String>> brokerConfigs,
            Map<Integer, BrokerImage> brokers,
            Map<Uuid, List<PartitionImage>> partitions) {
        this.topicsByName = byName;
        this.topicsById = byId;
        this.producerIdBlockEnd = producerIdBlockEnd;
        this.brokerConfigs = brokerConfigs;
        this.brokers = brokers;
        this.partitions = partitions;
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

    /** The dynamic broker configs of {@link #CLUSTER_DEFAULT} or of a node id; empty if none. Unmodifiable. */
    public Map<String, String> brokerConfigs(String scope) {
        return brokerConfigs.getOrDefault(scope, Map.of());
    }

    /** The registered brokers by node id, fenced or not (a cluster's; the single node registers none). */
    public Map<Integer, BrokerImage> brokers() {
        return Collections.unmodifiableMap(brokers);
    }

    public BrokerImage broker(int nodeId) {
        return brokers.get(nodeId);
    }

    /** A topic's assigned partitions by index; empty if it has none (the single node's topics). */
    public List<PartitionImage> partitions(Uuid topicId) {
        return partitions.getOrDefault(topicId, List.of());
    }

    /** Every scope's dynamic broker configs. Unmodifiable. */
    public Map<String, Map<String, String>> allBrokerConfigs() {
        return Collections.unmodifiableMap(brokerConfigs);
    }

    /** {@link #CLUSTER_DEFAULT} or a node id (a non-negative int in its canonical form). */
    public static boolean isBrokerScope(String scope) {
        if (CLUSTER_DEFAULT.equals(scope)) {
            return true;
        }
        try {
            int id = Integer.parseInt(scope);
            return id >= 0 && Integer.toString(id).equals(scope);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * The records that rebuild this image when applied to {@link #EMPTY}: its snapshot. Topics in name order, so
     * that equal images give equal snapshots.
     */
    public List<MetadataRecord> records() {
        List<MetadataRecord> records = new ArrayList<>();
        List<MetadataRecord> partitionRecords = new ArrayList<>();
        for (TopicImage topic : new TreeMap<>(topicsByName).values()) {
            records.add(new MetadataRecord.Topic(topic.name(), topic.topicId(), topic.partitionCount()));
            if (!topic.configs().isEmpty()) {
                records.add(new MetadataRecord.TopicConfig(topic.topicId(), new TreeMap<>(topic.configs())));
            }
            addPartitionRecords(topic.topicId(), partitionRecords);
        }
        if (producerIdBlockEnd > 0) {
            records.add(new MetadataRecord.ProducerIds(producerIdBlockEnd));
        }
        for (Map.Entry<String, Map<String, String>> scope : new TreeMap<>(brokerConfigs).entrySet()) {
            records.add(new MetadataRecord.BrokerConfigs(scope.getKey(), new TreeMap<>(scope.getValue())));
        }
        for (BrokerImage b : new TreeMap<>(brokers).values()) {
            records.add(new MetadataRecord.BrokerRegistration(
                    b.nodeId(), b.epoch(), b.incarnation(), b.rack(), b.endpoints()));
            if (!b.fenced()) {
                records.add(new MetadataRecord.BrokerFencing(b.nodeId(), b.epoch(), false));
            }
        }
        records.addAll(partitionRecords); // after the brokers their replicas name
        return records;
    }

    /** A topic's assignment, then the state of each partition no longer in its initial one. */
    private void addPartitionRecords(Uuid topicId, List<MetadataRecord> records) {
        List<PartitionImage> assigned = partitions(topicId);
        if (assigned.isEmpty()) {
            return;
        }
        List<List<Integer>> replicas = new ArrayList<>(assigned.size());
        for (PartitionImage partition : assigned) {
            replicas.add(partition.replicas());
        }
        records.add(new MetadataRecord.Assignment(topicId, 0, replicas));
        for (int i = 0; i < assigned.size(); i++) {
            if (!assigned.get(i).equals(PartitionImage.initial(assigned.get(i).replicas()))) {
                records.add(new MetadataRecord.PartitionState(topicId, i, assigned.get(i)));
            }
        }
    }

    /** This image with {@code record} applied, unchecked (see {@link MetadataChangeCheck} for a checked change). */
    public MetadataImage apply(MetadataRecord record) {
        return new MetadataImageBuilder(this).apply(record).build();
    }

    /** This image with all of {@code records} applied, unchecked, each part of the image copied once. */
    public MetadataImage applyAll(List<MetadataRecord> records) {
        MetadataImageBuilder builder = new MetadataImageBuilder(this);
        for (MetadataRecord record : records) {
            builder.apply(record);
        }
        return builder.build();
    }
}
