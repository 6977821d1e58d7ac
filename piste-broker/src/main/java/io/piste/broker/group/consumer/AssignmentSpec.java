package io.piste.broker.group.consumer;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * What an assignor works from.
 *
 * @param members         by member id, in member-id order
 * @param partitionCounts the number of partitions of every topic some member subscribes to, by topic id
 */
record AssignmentSpec(SortedMap<String, Member> members, Map<Uuid, Integer> partitionCounts) {

    /**
     * @param instanceId        the static member's {@code group.instance.id}, or null
     * @param subscribedTopics  the ids of the existing topics the member subscribes to
     * @param currentTarget     what the previous target assignment gave the member
     */
    record Member(String instanceId, Set<Uuid> subscribedTopics, Map<Uuid, Set<Integer>> currentTarget) {}

    AssignmentSpec {
        members = new TreeMap<>(members);
        partitionCounts = Map.copyOf(partitionCounts);
    }
}
