package io.piste.broker.metadata;

import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * What the broker asks of the cluster's metadata: check and make a change, then apply it to the image and tell the
 * listener. {@link LocalController} does it alone with its own log (a single node); the cluster's does it through
 * the metadata quorum. Each change throws the Kafka error its client should get.
 *
 * <p>Thread-safe; {@link #image()} may be read from any thread without locking.
 */
public interface Controller extends AutoCloseable {

    /** The most partitions one topic may have. */
    int MAX_PARTITIONS = 100_000;

    MetadataImage image();

    void setListener(MetadataListener listener);

    /** Checks a new topic as Kafka does, against the current image. */
    void validateNewTopic(String name, int partitionCount);

    TopicImage createTopic(String name, int partitionCount, Map<String, String> configs) throws IOException;

    void deleteTopic(Uuid topicId) throws IOException;

    void createPartitions(String name, int newCount, boolean validateOnly) throws IOException;

    void replaceTopicConfigs(String name, Map<String, String> configs) throws IOException;

    /**
     * Replaces all dynamic broker configs of {@code scope} ({@link MetadataImage#CLUSTER_DEFAULT} or a node id); an
     * empty map removes them. The caller has validated the names and values.
     */
    void replaceBrokerConfigs(String scope, Map<String, String> configs) throws IOException;

    /** A producer id never handed out before, even across restarts. */
    long nextProducerId() throws IOException;

    /** The metadata quorum as this node knows it (a single node is a quorum of one). */
    QuorumDescription describeQuorum() throws IOException;

    @Override
    void close() throws IOException;
}
