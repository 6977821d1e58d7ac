package io.piste.cluster.controller;

import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.ImageChanges;
import io.piste.broker.metadata.MetadataChangeCheck;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.MetadataQuorum;
import io.piste.cluster.quorum.QuorumSettings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's controller in a cluster: checks a change against this node's image (for the client's error without a
 * round trip), proposes it to the {@link MetadataQuorum}, which checks it again where it is applied, identically on
 * every node. Every node's listener hears of every applied change, whichever node proposed it, as the difference
 * between the images before and after ({@link ImageChanges}); a listener that fails is logged and does not undo the
 * change elsewhere (the node's partitions report the failure, as after a failed disk).
 */
public final class QuorumController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumController.class);

    /** As the single node's: ids are reserved through the quorum a block at a time. */
    static final long PRODUCER_ID_BLOCK_SIZE = 1000;

    /** A block proposed against an image another node's block has since moved is proposed again, this often. */
    private static final int PRODUCER_ID_ATTEMPTS = 10;

    private final MetadataQuorum quorum;
    private volatile MetadataListener listener;
    private final Object producerIds = new Object();
    private long nextProducerId;
    private long producerIdBlockEnd;

    private QuorumController(MetadataQuorum quorum) {
        this.quorum = quorum;
    }

    /** Starts this node's member of the quorum; its listener is told of changes applied once it is set. */
    public static QuorumController start(QuorumSettings settings) throws IOException {
        QuorumController[] self = new QuorumController[1];
        MetadataQuorum quorum = MetadataQuorum.start(settings, (before, after) -> {
            QuorumController controller = self[0];
            if (controller != null) {
                controller.onApplied(before, after);
            }
        });
        self[0] = new QuorumController(quorum);
        return self[0];
    }

    public MetadataQuorum quorum() {
        return quorum;
    }

    private void onApplied(MetadataImage before, MetadataImage after) {
        MetadataListener current = listener;
        if (current == null) {
            return;
        }
        try {
            ImageChanges.tell(current, before, after);
        } catch (IOException | RuntimeException e) {
            LOG.error("This node could not carry out an applied metadata change; the cluster keeps it", e);
        }
    }

    @Override
    public MetadataImage image() {
        return quorum.image();
    }

    @Override
    public void setListener(MetadataListener listener) {
        this.listener = listener;
    }

    @Override
    public void validateNewTopic(String name, int partitionCount) {
        MetadataChangeCheck.checkNewTopic(image(), name, partitionCount);
    }

    @Override
    public TopicImage createTopic(String name, int partitionCount, Map<String, String> configs) throws IOException {
        validateNewTopic(name, partitionCount);
        Uuid id = Uuid.randomUuid();
        List<MetadataRecord> change = new ArrayList<>();
        change.add(new MetadataRecord.Topic(name, id, partitionCount));
        if (!configs.isEmpty()) {
            change.add(new MetadataRecord.TopicConfig(id, new TreeMap<>(configs)));
        }
        return propose(change).topic(id);
    }

    @Override
    public void deleteTopic(Uuid topicId) throws IOException {
        if (image().topic(topicId) == null) {
            throw new UnknownTopicOrPartitionException("Topic " + topicId + " does not exist");
        }
        propose(List.of(new MetadataRecord.RemoveTopic(topicId)));
    }

    @Override
    public void createPartitions(String name, int newCount, boolean validateOnly) throws IOException {
        TopicImage topic = existing(name);
        if (newCount <= topic.partitionCount()) {
            throw new InvalidPartitionsException("Topic currently has " + topic.partitionCount()
                    + " partitions, which is higher than the requested " + newCount + ".");
        }
        if (newCount > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("At most " + MAX_PARTITIONS + " partitions, got " + newCount);
        }
        if (!validateOnly) {
            propose(List.of(new MetadataRecord.PartitionCount(topic.topicId(), newCount)));
        }
    }

    @Override
    public void replaceTopicConfigs(String name, Map<String, String> configs) throws IOException {
        propose(List.of(new MetadataRecord.TopicConfig(existing(name).topicId(), new TreeMap<>(configs))));
    }

    @Override
    public void replaceBrokerConfigs(String scope, Map<String, String> configs) throws IOException {
        propose(List.of(new MetadataRecord.BrokerConfigs(scope, new TreeMap<>(configs))));
    }

    /**
     * From a block this node reserved. Every node proposes the image's block end plus one block, and the quorum
     * takes only an end above the reserved one: a proposal made against an older image is refused and made again,
     * so blocks never overlap.
     */
    @Override
    public long nextProducerId() throws IOException {
        synchronized (producerIds) {
            for (int attempt = 1; nextProducerId >= producerIdBlockEnd; attempt++) {
                long start = image().producerIdBlockEnd();
                try {
                    propose(List.of(new MetadataRecord.ProducerIds(start + PRODUCER_ID_BLOCK_SIZE)));
                    nextProducerId = start;
                    producerIdBlockEnd = start + PRODUCER_ID_BLOCK_SIZE;
                } catch (InvalidRequestException reservedMeanwhile) {
                    if (attempt == PRODUCER_ID_ATTEMPTS) {
                        throw new IOException(
                                "No producer id block reserved after " + attempt + " attempts", reservedMeanwhile);
                    }
                }
            }
            return nextProducerId++;
        }
    }

    private TopicImage existing(String name) {
        TopicImage topic = image().topic(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist");
        }
        return topic;
    }

    private MetadataImage propose(List<MetadataRecord> change) throws IOException {
        try {
            return quorum.propose(change);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while the metadata quorum took a change");
        }
    }

    @Override
    public void close() throws IOException {
        quorum.close();
    }
}
