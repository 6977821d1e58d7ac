package io.piste.broker.group.consumer;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;

/**
 * Set operations on partitions grouped by topic id ({@code Map<Uuid, Set<Integer>>}), the shape assignments have
 * on the wire. Results are new, unmodifiable maps without empty topics; inputs are never changed.
 */
final class Partitions {

    static final Map<Uuid, Set<Integer>> NONE = Map.of();

    private Partitions() {}

    static Map<Uuid, Set<Integer>> copyOf(Map<Uuid, Set<Integer>> partitions) {
        Map<Uuid, Set<Integer>> copy = new HashMap<>();
        partitions.forEach((topic, ids) -> {
            if (!ids.isEmpty()) {
                copy.put(topic, Collections.unmodifiableSet(new TreeSet<>(ids)));
            }
        });
        return Collections.unmodifiableMap(copy);
    }

    /** The partitions in {@code a} and in {@code b}. */
    static Map<Uuid, Set<Integer>> intersect(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        Map<Uuid, Set<Integer>> result = new HashMap<>();
        a.forEach((topic, ids) -> {
            Set<Integer> other = b.getOrDefault(topic, Set.of());
            Set<Integer> both = new TreeSet<>(ids);
            both.retainAll(other);
            result.put(topic, both);
        });
        return copyOf(result);
    }

    /** The partitions in {@code a} and not in {@code b}. */
    static Map<Uuid, Set<Integer>> minus(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        Map<Uuid, Set<Integer>> result = new HashMap<>();
        a.forEach((topic, ids) -> {
            Set<Integer> left = new TreeSet<>(ids);
            left.removeAll(b.getOrDefault(topic, Set.of()));
            result.put(topic, left);
        });
        return copyOf(result);
    }

    static boolean overlap(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        for (Map.Entry<Uuid, Set<Integer>> e : a.entrySet()) {
            Set<Integer> other = b.get(e.getKey());
            if (other != null && e.getValue().stream().anyMatch(other::contains)) {
                return true;
            }
        }
        return false;
    }

    static boolean isSubset(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        return minus(a, b).isEmpty();
    }

    static int count(Map<Uuid, Set<Integer>> partitions) {
        int n = 0;
        for (Set<Integer> ids : partitions.values()) {
            n += ids.size();
        }
        return n;
    }

    /** The owned partitions a member reported, or null if it did not report them (unchanged since last time). */
    static Map<Uuid, Set<Integer>> fromRequest(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> reported) {
        if (reported == null) {
            return null;
        }
        Map<Uuid, Set<Integer>> result = new HashMap<>();
        for (ConsumerGroupHeartbeatRequestData.TopicPartitions tp : reported) {
            result.computeIfAbsent(tp.topicId(), t -> new TreeSet<>()).addAll(tp.partitions());
        }
        return copyOf(result);
    }

    static List<ConsumerGroupHeartbeatResponseData.TopicPartitions> toResponse(Map<Uuid, Set<Integer>> partitions) {
        return partitions.entrySet().stream()
                .map(e -> new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                        .setTopicId(e.getKey())
                        .setPartitions(List.copyOf(e.getValue())))
                .toList();
    }
}
