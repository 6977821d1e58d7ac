package io.piste.broker.handler;

import io.piste.broker.group.OffsetsTopic;
import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Whether this broker can coordinate a group now: not while the group's partition of {@code __consumer_offsets} is
 * offline (its log failed to open at start-up). Its groups were not loaded, so an answer would be made of nothing:
 * an empty OffsetFetch would send consumers back to their reset policy. Kafka answers COORDINATOR_NOT_AVAILABLE while
 * the partition has no leader; clients retry. Stateless.
 */
final class GroupAvailability {

    private GroupAvailability() {}

    /**
     * Whether this node coordinates {@code groupId}: it leads the group's offsets partition (always, on a single
     * node, and before the offsets topic exists: the node a client found the group on creates it).
     */
    static boolean coordinates(BrokerContext broker, String groupId) {
        return routing(broker, groupId) == Errors.NONE;
    }

    /**
     * {@code NONE} if this node coordinates {@code groupId} now; {@code NOT_COORDINATOR} in a cluster when another
     * node leads the group's offsets partition; {@code COORDINATOR_LOAD_IN_PROGRESS} while this node, its new leader,
     * loads the partition's groups (Kafka's answer; clients retry).
     */
    static Errors routing(BrokerContext broker, String groupId) {
        MetadataImage image = broker.controller().image();
        TopicImage topic = image.topic(OffsetsTopic.NAME);
        if (topic == null || groupId == null) {
            return Errors.NONE; // created at the first commit
        }
        if (!Assignments.leads(
                image, topic, OffsetsTopic.partitionIndex(groupId, topic.partitionCount()), broker.nodeId())) {
            return Errors.NOT_COORDINATOR;
        }
        Errors coordination = broker.groupOffsets().coordination(groupId);
        // led here by the image, but its leadership not yet told to the coordinator: loading all the same
        return coordination == Errors.NOT_COORDINATOR ? Errors.COORDINATOR_LOAD_IN_PROGRESS : coordination;
    }

    /**
     * {@code NONE}; {@code NOT_COORDINATOR} in a cluster when another node leads the group's offsets partition (the
     * client looks its coordinator up again); {@code COORDINATOR_NOT_AVAILABLE} when that partition is offline here;
     * {@code COORDINATOR_LOAD_IN_PROGRESS} while it is loaded.
     */
    static Errors of(BrokerContext broker, String groupId) {
        MetadataImage image = broker.controller().image();
        TopicImage topic = image.topic(OffsetsTopic.NAME);
        if (topic == null || groupId == null) {
            return Errors.NONE; // created at the first commit
        }
        int index = OffsetsTopic.partitionIndex(groupId, topic.partitionCount());
        if (!Assignments.leads(image, topic, index, broker.nodeId())) {
            return Errors.NOT_COORDINATOR;
        }
        return broker.logManager().failedToOpen(OffsetsTopic.NAME, index)
                ? Errors.COORDINATOR_NOT_AVAILABLE
                : routing(broker, groupId);
    }
}
