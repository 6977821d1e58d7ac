package io.piste.broker.group.consumer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's {@code range} server assignor: topic by topic, the members subscribed to the topic, in member-id order,
 * each get a contiguous range of its partitions, the first {@code partitions % members} one more than the others.
 * Topics with the same partition count and subscribers are thus co-partitioned: partition {@code i} of each goes to
 * the same member.
 */
final class RangeAssignor implements PartitionAssignor {

    static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(AssignmentSpec spec) {
        Map<String, Map<Uuid, Set<Integer>>> result = new TreeMap<>();
        spec.members().keySet().forEach(m -> result.put(m, new HashMap<>()));
        spec.partitionCounts().forEach((topic, partitionCount) -> {
            List<String> subscribers = new ArrayList<>();
            spec.members().forEach((memberId, member) -> {
                if (member.subscribedTopics().contains(topic)) {
                    subscribers.add(memberId);
                }
            });
            if (subscribers.isEmpty()) {
                return;
            }
            int base = partitionCount / subscribers.size();
            int extra = partitionCount % subscribers.size();
            int next = 0;
            for (int i = 0; i < subscribers.size(); i++) {
                int size = base + (i < extra ? 1 : 0);
                Set<Integer> range = new TreeSet<>();
                for (int p = next; p < next + size; p++) {
                    range.add(p);
                }
                next += size;
                if (!range.isEmpty()) {
                    result.get(subscribers.get(i)).put(topic, range);
                }
            }
        });
        result.replaceAll((member, partitions) -> Partitions.copyOf(partitions));
        return result;
    }
}
