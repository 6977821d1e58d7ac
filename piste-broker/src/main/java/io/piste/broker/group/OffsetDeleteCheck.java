package io.piste.broker.group;

import java.util.Set;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetDelete's check of a group, done once for the whole request.
 *
 * @param error            NONE, or the error for the whole request: GROUP_ID_NOT_FOUND for a group this coordinator
 *                         does not know, NON_EMPTY_GROUP for an active group of another protocol type than
 *                         {@code consumer} (its members' metadata cannot tell what they use)
 * @param subscribedTopics the topics the active members subscribe to, whose offsets may not be deleted
 *                         (GROUP_SUBSCRIBED_TO_TOPIC); empty for an Empty group
 */
public record OffsetDeleteCheck(Errors error, Set<String> subscribedTopics) {}
