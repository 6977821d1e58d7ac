package io.piste.broker.group;

import java.util.Set;

/**
 * A group's membership as offsets retention sees it.
 *
 * @param hasMembers       whether the group has members (then only offsets of unsubscribed topics may expire)
 * @param emptySinceMs     for a group without members, when it became empty, or -1 if unknown
 * @param subscribedTopics for a group with members of the {@code consumer} protocol type, the topics they
 *                         subscribe to; null if unknown (then no offset of the group expires)
 */
public record GroupActivity(boolean hasMembers, long emptySinceMs, Set<String> subscribedTopics) {

    static GroupActivity empty(long emptySinceMs) {
        return new GroupActivity(false, emptySinceMs, Set.of());
    }

    static GroupActivity active(Set<String> subscribedTopics) {
        return new GroupActivity(true, -1, subscribedTopics);
    }

    static GroupActivity activeKeepingAll() {
        return new GroupActivity(true, -1, null);
    }
}
