package io.piste.broker.group;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * Transactional offsets written to {@code __consumer_offsets} (TxnOffsetCommit) whose transaction has no marker yet,
 * by producer id, then group, then partition. A producer's later offset for the same partition replaces its earlier
 * one. A tombstone of a partition written after a pending offset removes it ({@link #supersede}), as in Kafka: the
 * transaction's COMMIT must not bring back an offset deleted after it was written.
 *
 * <p>Not thread-safe: {@link GroupOffsets} guards it with its own lock; a load uses one per partition on its thread.
 */
final class PendingTransactionalOffsets {

    private final Map<Long, Map<String, Map<TopicPartition, OrderedOffset>>> byProducer = new HashMap<>();

    /** Adds (or replaces) the producer's pending offset of the group's {@code tp}. */
    void add(long producerId, String groupId, TopicPartition tp, OrderedOffset offset) {
        byProducer
                .computeIfAbsent(producerId, p -> new HashMap<>())
                .computeIfAbsent(groupId, g -> new HashMap<>())
                .put(tp, offset);
    }

    /**
     * Removes and returns the producer's pending offsets of the groups {@code groups} accepts (those whose records
     * are in the partition its marker went to), by group; empty if none.
     */
    Map<String, Map<TopicPartition, OrderedOffset>> remove(long producerId, Predicate<String> groups) {
        Map<String, Map<TopicPartition, OrderedOffset>> ofProducer = byProducer.get(producerId);
        Map<String, Map<TopicPartition, OrderedOffset>> removed = new HashMap<>();
        if (ofProducer == null) {
            return removed;
        }
        for (Iterator<Map.Entry<String, Map<TopicPartition, OrderedOffset>>> it =
                        ofProducer.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<String, Map<TopicPartition, OrderedOffset>> group = it.next();
            if (groups.test(group.getKey())) {
                removed.put(group.getKey(), group.getValue());
                it.remove();
            }
        }
        if (ofProducer.isEmpty()) {
            byProducer.remove(producerId);
        }
        return removed;
    }

    /** Drops every producer's pending offsets of the groups {@code groups} accepts (their partition was unloaded). */
    void removeGroups(Predicate<String> groups) {
        for (Iterator<Map<String, Map<TopicPartition, OrderedOffset>>> producers =
                        byProducer.values().iterator();
                producers.hasNext(); ) {
            Map<String, Map<TopicPartition, OrderedOffset>> ofProducer = producers.next();
            ofProducer.keySet().removeIf(groups);
            if (ofProducer.isEmpty()) {
                producers.remove();
            }
        }
    }

    /** Drops every producer's pending offset of the group's {@code tp}: a later tombstone deleted it. */
    void supersede(String groupId, TopicPartition tp) {
        for (Iterator<Map<String, Map<TopicPartition, OrderedOffset>>> producers =
                        byProducer.values().iterator();
                producers.hasNext(); ) {
            Map<String, Map<TopicPartition, OrderedOffset>> groups = producers.next();
            Map<TopicPartition, OrderedOffset> offsets = groups.get(groupId);
            if (offsets != null && offsets.remove(tp) != null && offsets.isEmpty()) {
                groups.remove(groupId);
                if (groups.isEmpty()) {
                    producers.remove();
                }
            }
        }
    }

    /** Whether some producer has a pending offset for the group's {@code tp}. */
    boolean has(String groupId, TopicPartition tp) {
        for (Map<String, Map<TopicPartition, OrderedOffset>> groups : byProducer.values()) {
            Map<TopicPartition, OrderedOffset> offsets = groups.get(groupId);
            if (offsets != null && offsets.containsKey(tp)) {
                return true;
            }
        }
        return false;
    }

    /** The partitions of the group with a pending offset, of any producer. */
    Set<TopicPartition> partitions(String groupId) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (Map<String, Map<TopicPartition, OrderedOffset>> groups : byProducer.values()) {
            Map<TopicPartition, OrderedOffset> offsets = groups.get(groupId);
            if (offsets != null) {
                partitions.addAll(offsets.keySet());
            }
        }
        return partitions;
    }

    boolean isEmpty() {
        return byProducer.isEmpty();
    }
}
