package io.piste.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class AssignorsTest {

    private static final Uuid T1 = new Uuid(0, 1);
    private static final Uuid T2 = new Uuid(0, 2);

    private final UniformAssignor uniform = new UniformAssignor();
    private final RangeAssignor range = new RangeAssignor();

    private static AssignmentSpec spec(Map<Uuid, Integer> counts, Map<String, AssignmentSpec.Member> members) {
        return new AssignmentSpec(new TreeMap<>(members), counts);
    }

    private static AssignmentSpec.Member member(Set<Uuid> topics, Map<Uuid, Set<Integer>> current) {
        return new AssignmentSpec.Member(null, topics, current);
    }

    private static int count(Map<Uuid, Set<Integer>> partitions) {
        return Partitions.count(partitions);
    }

    @Test
    void shouldBalanceUniformlyAndCoverEveryPartitionOnce() {
        Map<String, AssignmentSpec.Member> members = new HashMap<>();
        for (String m : new String[] {"a", "b", "c"}) {
            members.put(m, member(Set.of(T1, T2), Map.of()));
        }
        Map<String, Map<Uuid, Set<Integer>>> result = uniform.assign(spec(Map.of(T1, 6, T2, 1), members));

        assertThat(result).containsOnlyKeys("a", "b", "c");
        assertThat(result.values()).allSatisfy(p -> assertThat(count(p)).isBetween(2, 3));
        Set<String> all = new HashSet<>();
        result.values()
                .forEach(p -> p.forEach((t, ids) -> ids.forEach(i -> assertThat(all.add(t + "-" + i))
                        .as("partition %s-%s given once", t, i)
                        .isTrue())));
        assertThat(all).hasSize(7);
    }

    @Test
    void shouldMoveOnlyWhatBalanceNeedsWhenAMemberJoins() {
        Map<Uuid, Set<Integer>> a = Map.of(T1, Set.of(0, 1, 2));
        Map<Uuid, Set<Integer>> b = Map.of(T1, Set.of(3, 4, 5));
        Map<String, AssignmentSpec.Member> members =
                Map.of("a", member(Set.of(T1), a), "b", member(Set.of(T1), b), "c", member(Set.of(T1), Map.of()));

        Map<String, Map<Uuid, Set<Integer>>> result = uniform.assign(spec(Map.of(T1, 6), members));

        assertThat(result.values()).allSatisfy(p -> assertThat(count(p)).isEqualTo(2));
        // Sticky: a and b each keep two of their three partitions; only two partitions move, both to c.
        assertThat(a.get(T1)).containsAll(result.get("a").get(T1));
        assertThat(b.get(T1)).containsAll(result.get("b").get(T1));
    }

    @Test
    void shouldKeepAnAssignmentThatIsAlreadyBalanced() {
        Map<String, AssignmentSpec.Member> members = Map.of(
                "a", member(Set.of(T1), Map.of(T1, Set.of(1, 3))),
                "b", member(Set.of(T1), Map.of(T1, Set.of(0, 2))));

        Map<String, Map<Uuid, Set<Integer>>> result = uniform.assign(spec(Map.of(T1, 4), members));

        assertThat(result.get("a")).isEqualTo(Map.of(T1, Set.of(1, 3)));
        assertThat(result.get("b")).isEqualTo(Map.of(T1, Set.of(0, 2)));
    }

    @Test
    void shouldGiveTopicsOnlyToTheirSubscribersAndDropPartitionsOfGoneTopics() {
        Map<String, AssignmentSpec.Member> members = Map.of(
                "a", member(Set.of(T1), Map.of(T2, Set.of(0))),
                "b", member(Set.of(T1, T2), Map.of()));

        Map<String, Map<Uuid, Set<Integer>>> result = uniform.assign(spec(Map.of(T1, 2, T2, 2), members));

        assertThat(result.get("a")).doesNotContainKey(T2);
        assertThat(result.get("b").get(T2)).containsExactlyInAnyOrder(0, 1);
        assertThat(count(result.get("a")) + count(result.get("b"))).isEqualTo(4);
    }

    @Test
    void shouldKeepEveryPartitionOfTheStayingMembersWhenOneLeaves() {
        Map<String, AssignmentSpec.Member> members = Map.of(
                "a", member(Set.of(T1), Map.of(T1, Set.of(0, 1))),
                "b", member(Set.of(T1), Map.of(T1, Set.of(2, 3))));

        Map<String, Map<Uuid, Set<Integer>>> result = uniform.assign(spec(Map.of(T1, 6), members));

        assertThat(result.get("a").get(T1)).contains(0, 1).hasSize(3);
        assertThat(result.get("b").get(T1)).contains(2, 3).hasSize(3);
    }

    /** Random groups: every subscribed partition goes to exactly one subscriber, with either assignor. */
    @Test
    void shouldCoverEverySubscribedPartitionOnceInRandomGroups() {
        Random random = new Random(848);
        for (int round = 0; round < 200; round++) {
            Map<Uuid, Integer> counts = new HashMap<>();
            int topics = 1 + random.nextInt(4);
            for (int t = 0; t < topics; t++) {
                counts.put(new Uuid(1, t), 1 + random.nextInt(12));
            }
            Map<String, AssignmentSpec.Member> members = new HashMap<>();
            int memberCount = 1 + random.nextInt(6);
            boolean homogeneous = random.nextBoolean();
            for (int m = 0; m < memberCount; m++) {
                Set<Uuid> subscribed = new HashSet<>();
                for (Uuid t : counts.keySet()) {
                    if (homogeneous || random.nextBoolean()) {
                        subscribed.add(t);
                    }
                }
                Map<Uuid, Set<Integer>> previous = new HashMap<>();
                for (Uuid t : subscribed) {
                    if (random.nextInt(3) == 0) {
                        previous.put(t, Set.of(random.nextInt(counts.get(t) + 2)));
                    }
                }
                members.put("m" + m, member(subscribed, previous));
            }
            final int seed = round;
            for (PartitionAssignor assignor : new PartitionAssignor[] {uniform, range}) {
                Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(spec(counts, members));
                Map<String, String> owner = new HashMap<>();
                result.forEach((m, partitions) -> partitions.forEach((t, ids) -> ids.forEach(p -> {
                    assertThat(members.get(m).subscribedTopics())
                            .as("%s subscribes to %s (%s, round %s)", m, t, assignor.name(), seed)
                            .contains(t);
                    assertThat(p).isBetween(0, counts.get(t) - 1);
                    assertThat(owner.put(t + "-" + p, m))
                            .as("%s-%s given twice by %s", t, p, assignor.name())
                            .isNull();
                })));
                int subscribedPartitions = 0;
                for (Map.Entry<Uuid, Integer> t : counts.entrySet()) {
                    if (members.values().stream()
                            .anyMatch(m -> m.subscribedTopics().contains(t.getKey()))) {
                        subscribedPartitions += t.getValue();
                    }
                }
                assertThat(owner).as("round %s, %s", round, assignor.name()).hasSize(subscribedPartitions);
                if (homogeneous && assignor == uniform) {
                    int min = result.values().stream()
                            .mapToInt(Partitions::count)
                            .min()
                            .orElse(0);
                    int max = result.values().stream()
                            .mapToInt(Partitions::count)
                            .max()
                            .orElse(0);
                    assertThat(max - min).as("uniform balance, round %s", round).isLessThanOrEqualTo(1);
                }
            }
        }
    }

    @Test
    void shouldGiveContiguousRangesPerTopicAndCoPartitionTopics() {
        Map<String, AssignmentSpec.Member> members = Map.of(
                "m1", member(Set.of(T1, T2), Map.of()),
                "m2", member(Set.of(T1, T2), Map.of()),
                "m3", member(Set.of(T1, T2), Map.of()));

        Map<String, Map<Uuid, Set<Integer>>> result = range.assign(spec(Map.of(T1, 7, T2, 7), members));

        // 7 partitions over 3 members: 3, 2, 2 in member-id order.
        assertThat(result.get("m1").get(T1)).containsExactly(0, 1, 2);
        assertThat(result.get("m2").get(T1)).containsExactly(3, 4);
        assertThat(result.get("m3").get(T1)).containsExactly(5, 6);
        for (String m : members.keySet()) {
            assertThat(result.get(m).get(T2))
                    .as("co-partitioned %s", m)
                    .isEqualTo(result.get(m).get(T1));
        }
    }

    @Test
    void shouldRangeEachTopicOverItsOwnSubscribers() {
        Map<String, AssignmentSpec.Member> members = Map.of(
                "m1", member(Set.of(T1), Map.of()),
                "m2", member(Set.of(T1, T2), Map.of()));

        Map<String, Map<Uuid, Set<Integer>>> result = range.assign(spec(Map.of(T1, 2, T2, 3), members));

        assertThat(result.get("m1")).isEqualTo(Map.of(T1, Set.of(0)));
        assertThat(result.get("m2")).isEqualTo(Map.of(T1, Set.of(1), T2, Set.of(0, 1, 2)));
    }

    @Test
    void shouldFindAssignorsByShortOrKafkaClassName() {
        Assignors assignors = new Assignors(
                java.util.List.of("range", "org.apache.kafka.coordinator.group.assignor.UniformAssignor"));

        assertThat(assignors.defaultAssignor().name()).isEqualTo("range");
        assertThat(assignors.get("uniform")).isInstanceOf(UniformAssignor.class);
        assertThat(assignors.get("sticky")).isNull();
    }
}
