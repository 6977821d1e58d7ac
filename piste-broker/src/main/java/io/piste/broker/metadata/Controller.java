package io.piste.broker.metadata;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.requests.ApiError;

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

    /**
     * Sets the listener of a node whose state was built from {@code known} (an earlier {@link #image()}): it is first
     * told of every change applied since, so that none is missed or told twice. A single node changes nothing on its
     * own before it serves, so its listener needs no catching up.
     */
    default void setListener(MetadataListener listener, MetadataImage known) throws IOException {
        setListener(listener);
    }

    /** Checks a new topic as Kafka does, against the current image. */
    void validateNewTopic(String name, int partitionCount);

    TopicImage createTopic(String name, int partitionCount, Map<String, String> configs) throws IOException;

    /**
     * Creates the topic with {@code replicationFactor} replicas per partition: a single node holds one, a cluster
     * places them on its serving brokers.
     *
     * @throws org.apache.kafka.common.errors.InvalidReplicationFactorException if fewer brokers serve
     */
    default TopicImage createTopic(String name, int partitionCount, int replicationFactor, Map<String, String> configs)
            throws IOException {
        if (replicationFactor != 1) {
            throw new org.apache.kafka.common.errors.InvalidReplicationFactorException("Unable to replicate the "
                    + "partition " + replicationFactor + " time(s): only 1 broker(s) are registered.");
        }
        return createTopic(name, partitionCount, configs);
    }

    /**
     * As {@link #createTopic(String, int, int, Map)}, for a CreateTopics request: a cluster waits for the change up to
     * {@code timeoutMs} (the request's TimeoutMs, at least its quorum's own bound), since applying a topic of
     * thousands of partitions creates their logs; after it, {@link org.apache.kafka.common.errors.TimeoutException}
     * (REQUEST_TIMED_OUT), and the topic may still be created, as in Kafka.
     */
    default TopicImage createTopic(
            String name, int partitionCount, int replicationFactor, Map<String, String> configs, long timeoutMs)
            throws IOException {
        return createTopic(name, partitionCount, replicationFactor, configs);
    }

    /**
     * A partition leader's change of its own state (its ISR, Kafka's AlterPartition): {@code next} replaces the
     * partition's state if its partition epoch is the current one plus one, else it is refused
     * ({@link org.apache.kafka.common.errors.InvalidUpdateVersionException}) and the leader learns the newer state
     * from the image. A single node has no followers, so nothing to change.
     */
    default void changePartition(Uuid topicId, int partition, PartitionImage next) throws IOException {
        throw new UnsupportedOperationException("a single node has no partition state to change");
    }

    /**
     * Kafka's ElectLeaders: elects the preferred replica ({@link ElectionType#PREFERRED}) or, for a partition with no
     * leader and no in-sync replica serving, the first serving replica ({@link ElectionType#UNCLEAN}) of each of
     * {@code partitions}, or of every partition if null. Answers each partition's outcome: {@link ApiError#NONE} once
     * its new leader is committed, else {@code ELECTION_NOT_NEEDED}, {@code PREFERRED_LEADER_NOT_AVAILABLE},
     * {@code ELIGIBLE_LEADERS_NOT_AVAILABLE} or {@code UNKNOWN_TOPIC_OR_PARTITION}; one partition's failure does not
     * fail the others; {@code REQUEST_TIMED_OUT} for those whose election could not be proposed within {@code
     * timeoutMs} (the request's TimeoutMs). A single node's only replica leads each of its partitions: no election is
     * ever needed.
     */
    default Map<TopicPartition, ApiError> electLeaders(
            ElectionType type, Set<TopicPartition> partitions, long timeoutMs) throws IOException {
        return LeaderElectionRequests.singleNode(image(), partitions);
    }

    /** This node's broker epoch in a cluster (Kafka's, sent in a follower's fetch), -1 if it has none. */
    default long brokerEpoch() {
        return -1;
    }

    void deleteTopic(Uuid topicId) throws IOException;

    void createPartitions(String name, int newCount, boolean validateOnly) throws IOException;

    /** As {@link #createPartitions(String, int, boolean)}, waiting up to {@code timeoutMs} as a topic's creation. */
    default void createPartitions(String name, int newCount, boolean validateOnly, long timeoutMs) throws IOException {
        createPartitions(name, newCount, validateOnly);
    }

    void replaceTopicConfigs(String name, Map<String, String> configs) throws IOException;

    /**
     * Replaces all dynamic broker configs of {@code scope} ({@link MetadataImage#CLUSTER_DEFAULT} or a node id); an
     * empty map removes them. The caller has validated the names and values.
     */
    void replaceBrokerConfigs(String scope, Map<String, String> configs) throws IOException;

    /** A producer id never handed out before, even across restarts. */
    long nextProducerId() throws IOException;

    /**
     * The id of the cluster this node belongs to when the controller decides it (a quorum's), else null: the single
     * node keeps the one its log dirs hold.
     */
    default String clusterId() {
        return null;
    }

    /**
     * This node serves clients from now on, at {@code endpoints}: a cluster's controller registers it as a broker
     * and has it unfenced, so that clients are sent to it and partitions may be led by it. The single node has
     * nobody to tell.
     */
    default void startServing(String rack, List<BrokerEndpoint> endpoints) throws IOException {}

    /** This node stops serving (Kafka's controlled shutdown): a cluster's controller fences it first. */
    default void stopServing() throws IOException {}

    /** Whether this node is the active controller: the metadata quorum's leader (a single node always is). */
    default boolean isActive() {
        return true;
    }

    /** The metadata quorum as this node knows it (a single node is a quorum of one). */
    QuorumDescription describeQuorum() throws IOException;

    /**
     * Starts, replaces or cancels the reassignment of each partition (Kafka's AlterPartitionReassignments, KIP-455):
     * the new replicas join as followers, and once all the target replicas are in sync the partition's replicas
     * become the target, those removed stopping and deleting their logs. With {@code allowReplicationFactorChange}
     * false (KIP-860) a target of another size than the partition's replicas is refused.
     *
     * @return each reassignment's answer, in order ({@link ApiError#NONE} if it started, changed or ended)
     */
    default List<ApiError> alterPartitionReassignments(
            List<PartitionReassignment> reassignments, boolean allowReplicationFactorChange) throws IOException {
        throw new UnsupportedOperationException("this controller reassigns no partition");
    }

    @Override
    void close() throws IOException;
}
