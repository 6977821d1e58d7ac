package io.piste.broker.group.consumer;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A server-side assignor (KIP-848's ServerAssignor): computes the target assignment of a whole group from the
 * members' subscriptions, the subscribed topics' partition counts and the previous target (for stickiness).
 * Implementations are stateless and deterministic.
 */
interface PartitionAssignor {

    /** The name clients ask for in {@code group.remote.assignor}. */
    String name();

    /**
     * @return for every member of {@code spec}, the partitions it gets (possibly none), by topic id
     */
    Map<String, Map<Uuid, Set<Integer>>> assign(AssignmentSpec spec);
}
