package io.piste.broker.group.consumer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's default server assignor, {@code uniform}: every member gets as many partitions as the others, give or take
 * one (among members that subscribe to the same topics), and keeps as many of its previous partitions as that
 * allows, so a rebalance moves few partitions.
 *
 * <p>Three passes: keep each member's previous partitions that are still valid; give every unowned partition to the
 * eligible member with the fewest; then move partitions, one at a time, from the member with the most to an eligible
 * member with at least two fewer, until none can move.
 */
final class UniformAssignor implements PartitionAssignor {

    static final String NAME = "uniform";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(AssignmentSpec spec) {
        Work work = new Work(spec);
        work.keepPrevious();
        work.assignUnowned();
        work.balance();
        return work.result();
    }

    /** The assignment being built, with counts kept alongside. */
    private static final class Work {
        private final AssignmentSpec spec;
        private final Map<String, Map<Uuid, TreeSet<Integer>>> assignment = new TreeMap<>();
        private final Map<String, Integer> counts = new HashMap<>();
        private final Map<Uuid, Set<Integer>> owned = new HashMap<>();

        Work(AssignmentSpec spec) {
            this.spec = spec;
            for (String member : spec.members().keySet()) {
                assignment.put(member, new TreeMap<>());
                counts.put(member, 0);
            }
        }

        void keepPrevious() {
            spec.members()
                    .forEach((memberId, member) -> member.currentTarget().forEach((topic, partitions) -> {
                        Integer count = spec.partitionCounts().get(topic);
                        if (count == null || !member.subscribedTopics().contains(topic)) {
                            return;
                        }
                        for (int p : partitions) {
                            if (p < count && !isOwned(topic, p)) {
                                give(memberId, topic, p);
                            }
                        }
                    }));
        }

        void assignUnowned() {
            List<Uuid> topics = new ArrayList<>(spec.partitionCounts().keySet());
            topics.sort(Comparator.naturalOrder());
            for (Uuid topic : topics) {
                for (int p = 0; p < spec.partitionCounts().get(topic); p++) {
                    if (!isOwned(topic, p)) {
                        String receiver = leastLoaded(topic, null);
                        if (receiver != null) {
                            give(receiver, topic, p);
                        }
                    }
                }
            }
        }

        void balance() {
            int guard = 1
                    + counts.size()
                            * (1 + owned.values().stream().mapToInt(Set::size).sum());
            while (guard-- > 0 && moveOne()) {
                // Each move narrows the gap between the most and the least loaded member.
            }
        }

        private boolean moveOne() {
            List<String> donors = new ArrayList<>(counts.keySet());
            donors.sort(
                    Comparator.<String>comparingInt(counts::get).reversed().thenComparing(Comparator.naturalOrder()));
            for (String donor : donors) {
                for (Map.Entry<Uuid, TreeSet<Integer>> entry :
                        assignment.get(donor).entrySet()) {
                    // Copied out first: take() may remove the entry, and a removed TreeMap entry can change its key.
                    Uuid topic = entry.getKey();
                    String receiver = leastLoaded(topic, donor);
                    if (receiver != null
                            && counts.get(receiver) + 1 < counts.get(donor)
                            && !entry.getValue().isEmpty()) {
                        int partition = entry.getValue().last();
                        take(donor, topic, partition);
                        give(receiver, topic, partition);
                        return true;
                    }
                }
            }
            return false;
        }

        /** The member subscribed to {@code topic} with the fewest partitions (ties: lowest member id). */
        private String leastLoaded(Uuid topic, String except) {
            String best = null;
            for (Map.Entry<String, AssignmentSpec.Member> m : spec.members().entrySet()) {
                if (m.getKey().equals(except)
                        || !m.getValue().subscribedTopics().contains(topic)) {
                    continue;
                }
                if (best == null || counts.get(m.getKey()) < counts.get(best)) {
                    best = m.getKey();
                }
            }
            return best;
        }

        private boolean isOwned(Uuid topic, int partition) {
            return owned.getOrDefault(topic, Set.of()).contains(partition);
        }

        private void give(String member, Uuid topic, int partition) {
            assignment.get(member).computeIfAbsent(topic, t -> new TreeSet<>()).add(partition);
            owned.computeIfAbsent(topic, t -> new TreeSet<>()).add(partition);
            counts.merge(member, 1, Integer::sum);
        }

        private void take(String member, Uuid topic, int partition) {
            TreeSet<Integer> partitions = assignment.get(member).get(topic);
            partitions.remove(partition);
            if (partitions.isEmpty()) {
                assignment.get(member).remove(topic);
            }
            owned.get(topic).remove(partition);
            counts.merge(member, -1, Integer::sum);
        }

        Map<String, Map<Uuid, Set<Integer>>> result() {
            Map<String, Map<Uuid, Set<Integer>>> result = new TreeMap<>();
            assignment.forEach(
                    (member, partitions) -> result.put(member, Partitions.copyOf(new HashMap<>(partitions))));
            return result;
        }
    }
}
