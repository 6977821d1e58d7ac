package io.piste.broker.txn;

import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The transaction coordinators of other nodes, as a partition's leader asks them before it appends a transactional
 * batch (KIP-890's verification: AddPartitionsToTxn, broker form). A single node has none.
 */
public interface RemoteCoordinators {

    /** What {@link #remoteNodeOf} says when this node coordinates the id (or no node does yet: it will). */
    int LOCAL = -1;

    /** What {@link #remoteNodeOf} says while the id's coordinator partition has no leader. */
    int UNAVAILABLE = -2;

    /** A single node's: every transactional id is its own. */
    RemoteCoordinators NONE = new RemoteCoordinators() {
        @Override
        public int remoteNodeOf(String transactionalId) {
            return LOCAL;
        }

        @Override
        public void verify(
                int node,
                String transactionalId,
                long producerId,
                short producerEpoch,
                Set<TopicPartition> partitions,
                boolean add,
                Consumer<Map<TopicPartition, Errors>> done) {
            throw new IllegalStateException("a single node has no remote coordinator");
        }
    };

    /** The node coordinating {@code transactionalId} if another does, else {@link #LOCAL} or {@link #UNAVAILABLE}. */
    int remoteNodeOf(String transactionalId);

    /**
     * Asks {@code node} whether {@code partitions} are in the producer's ongoing transaction, adding them first if
     * {@code add} (protocol v2's implicit add). {@code done} gets each partition's error (NONE if in), on one thread
     * and in the order the calls were made.
     */
    void verify(
            int node,
            String transactionalId,
            long producerId,
            short producerEpoch,
            Set<TopicPartition> partitions,
            boolean add,
            Consumer<Map<TopicPartition, Errors>> done);
}
