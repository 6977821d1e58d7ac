package io.piste.broker.group;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;

/**
 * Reads the topics the members of a {@code consumer} group subscribe to from the metadata they sent with their
 * chosen protocol (the consumer protocol's Subscription, decoded with kafka-clients' codec). The broker needs them
 * only to refuse deleting the offsets of a topic an active group consumes.
 */
final class ConsumerSubscriptions {

    /** The protocol type of groups of Kafka consumers (Java, librdkafka and the others alike). */
    static final String PROTOCOL_TYPE = "consumer";

    private ConsumerSubscriptions() {}

    /**
     * The union of the members' subscribed topics under the group's current protocol. Empty when no protocol has
     * been chosen yet or when a member's metadata cannot be read: like Kafka, a group whose subscriptions are
     * unknown is taken to subscribe to nothing.
     */
    static Set<String> topicsOf(ClassicGroup group) {
        if (group.protocolName() == null) {
            return Set.of();
        }
        Set<String> topics = new HashSet<>();
        for (GroupMember member : group.members()) {
            byte[] metadata = member.protocols.get(group.protocolName());
            if (metadata == null) {
                continue;
            }
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata))
                        .topics());
            } catch (RuntimeException unreadable) {
                return Set.of();
            }
        }
        return topics;
    }

    /**
     * The topics the members of a Stable group subscribe to, or null if they are not known for sure (the group is
     * rebalancing, or a member's metadata cannot be read): what offsets retention may rely on, as Kafka does.
     */
    static Set<String> knownTopicsOf(ClassicGroup group) {
        if (!group.is(GroupState.STABLE) || group.protocolName() == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        for (GroupMember member : group.members()) {
            byte[] metadata = member.protocols.get(group.protocolName());
            if (metadata == null) {
                return null;
            }
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata))
                        .topics());
            } catch (RuntimeException unreadable) {
                return null;
            }
        }
        return topics;
    }
}
