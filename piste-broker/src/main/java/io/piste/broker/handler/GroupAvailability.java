package io.piste.broker.handler;

import io.piste.broker.group.OffsetsTopic;
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

    /** {@code NONE}, or {@code COORDINATOR_NOT_AVAILABLE} when the group's offsets partition is offline. */
    static Errors of(BrokerContext broker, String groupId) {
        TopicImage topic = broker.controller().image().topic(OffsetsTopic.NAME);
        if (topic == null || groupId == null) {
            return Errors.NONE; // created at the first commit
        }
        int index = OffsetsTopic.partitionIndex(groupId, topic.partitionCount());
        return broker.logManager().failedToOpen(OffsetsTopic.NAME, index)
                ? Errors.COORDINATOR_NOT_AVAILABLE
                : Errors.NONE;
    }
}
