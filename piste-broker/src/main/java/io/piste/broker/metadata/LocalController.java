package io.piste.broker.metadata;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.requests.ApiError;

/**
 * The controller of a single node: checks each metadata change, appends it to the {@link MetadataLog}
 * (fsynced), then applies it to the {@link MetadataImage} and tells the listener. A cluster replaces the local
 * log with a Raft quorum; the records and the image stay the same.
 *
 * <p>Thread-safe: changes are serialized; {@link #image()} may be read from any thread without locking.
 */
public final class LocalController implements Controller {

    /** Producer ids are reserved in blocks so that a restart never hands out an id twice. */
    static final long PRODUCER_ID_BLOCK_SIZE = 1000;

    private final MetadataLog metadataLog;
    private final int nodeId;
    /** Records in the metadata log: its end offset, as DescribeQuorum reports it. */
    private long records;

    private volatile MetadataImage image;
    private MetadataListener listener;
    private long nextProducerId;

    private LocalController(MetadataLog metadataLog, MetadataImage image, int nodeId, long records) {
        this.metadataLog = metadataLog;
        this.image = image;
        this.nodeId = nodeId;
        this.records = records;
        this.nextProducerId = image.producerIdBlockEnd();
    }

    /** The controller of node 1, the default {@code node.id}. */
    public static LocalController open(Path metadataDir) throws IOException {
        return open(metadataDir, 1);
    }

    public static LocalController open(Path metadataDir, int nodeId) throws IOException {
        List<MetadataRecord> records = new ArrayList<>();
        MetadataLog metadataLog = MetadataLog.open(metadataDir, records);
        return new LocalController(metadataLog, MetadataImage.EMPTY.applyAll(records), nodeId, records.size());
    }

    @Override
    public synchronized void setListener(MetadataListener listener) {
        this.listener = listener;
    }

    @Override
    public MetadataImage image() {
        return image;
    }

    @Override
    public void validateNewTopic(String name, int partitionCount) {
        MetadataChangeCheck.checkNewTopic(image, name, partitionCount);
    }

    @Override
    public synchronized TopicImage createTopic(String name, int partitionCount, Map<String, String> configs)
            throws IOException {
        validateNewTopic(name, partitionCount);
        Uuid id = Uuid.randomUuid();
        List<MetadataRecord> records = MetadataLog.list(new MetadataRecord.Topic(name, id, partitionCount));
        if (!configs.isEmpty()) {
            records.add(new MetadataRecord.TopicConfig(id, configs));
        }
        append(records);
        TopicImage topic = image.topic(id);
        if (listener != null) {
            try {
                listener.onTopicCreated(topic, image);
            } catch (IOException | RuntimeException e) {
                // The partitions could not be created (a full disk, say): take the topic back out, so that it
                // is neither advertised without partitions nor reported as existing to a retry.
                try {
                    append(MetadataLog.list(new MetadataRecord.RemoveTopic(id)));
                } catch (IOException removeFailed) {
                    e.addSuppressed(removeFailed);
                }
                throw e;
            }
        }
        return topic;
    }

    @Override
    public synchronized void deleteTopic(Uuid topicId) throws IOException {
        TopicImage topic = MetadataChangeCheck.existing(image, topicId);
        append(MetadataLog.list(new MetadataRecord.RemoveTopic(topicId)));
        if (listener != null) {
            listener.onTopicDeleted(topic);
        }
    }

    @Override
    public synchronized void createPartitions(String name, int newCount, boolean validateOnly) throws IOException {
        TopicImage topic = MetadataChangeCheck.existing(image, name);
        MetadataChangeCheck.checkNewPartitionCount(topic, newCount);
        if (validateOnly) {
            return;
        }
        append(MetadataLog.list(new MetadataRecord.PartitionCount(topic.topicId(), newCount)));
        if (listener != null) {
            listener.onPartitionsAdded(image.topic(name), topic.partitionCount(), image);
        }
    }

    @Override
    public synchronized void replaceTopicConfigs(String name, Map<String, String> configs) throws IOException {
        TopicImage topic = MetadataChangeCheck.existing(image, name);
        append(MetadataLog.list(new MetadataRecord.TopicConfig(topic.topicId(), configs)));
        if (listener != null) {
            listener.onConfigsChanged(image.topic(name));
        }
    }

    /**
     * Replaces all dynamic broker configs of {@code scope} ({@link MetadataImage#CLUSTER_DEFAULT} or a node id); an
     * empty map removes them. The caller has validated the names and values.
     */
    @Override
    public synchronized void replaceBrokerConfigs(String scope, Map<String, String> configs) throws IOException {
        if (!MetadataImage.isBrokerScope(scope)) {
            throw new IllegalArgumentException(
                    "broker config scope must be \"" + MetadataImage.CLUSTER_DEFAULT + "\" or a node id, got " + scope);
        }
        append(MetadataLog.list(new MetadataRecord.BrokerConfigs(scope, new TreeMap<>(configs))));
        if (listener != null) {
            listener.onBrokerConfigsChanged(image);
        }
    }

    /** A producer id never handed out before, even across restarts. */
    @Override
    public synchronized long nextProducerId() throws IOException {
        if (nextProducerId >= image.producerIdBlockEnd()) {
            append(MetadataLog.list(new MetadataRecord.ProducerIds(nextProducerId + PRODUCER_ID_BLOCK_SIZE)));
        }
        return nextProducerId++;
    }

    private void append(List<MetadataRecord> change) throws IOException {
        MetadataImage next = MetadataChangeCheck.apply(image, change);
        metadataLog.append(change);
        records += change.size();
        image = next;
    }

    /** A quorum of this node alone, always the leader, with the whole log committed as soon as it is fsynced. */
    @Override
    public synchronized QuorumDescription describeQuorum() {
        long now = System.currentTimeMillis();
        return new QuorumDescription(
                nodeId, 1, records, List.of(new QuorumDescription.Voter(nodeId, records, now, now, null)), List.of());
    }

    /** Only this node's broker exists: a target of it alone changes nothing, any other is refused. */
    @Override
    public List<ApiError> alterPartitionReassignments(
            List<PartitionReassignment> reassignments, boolean allowReplicationFactorChange) {
        return SingleNodeReassignments.answer(image(), nodeId, reassignments);
    }

    @Override
    public synchronized void close() throws IOException {
        metadataLog.close();
    }
}
