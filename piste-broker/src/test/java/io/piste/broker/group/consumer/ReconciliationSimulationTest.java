package io.piste.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.group.FakeGroupTimer;
import io.piste.broker.metadata.LocalController;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Simulated members, each doing what a real client does with the answers (take the partitions it is given, give
 * up those it is no longer given, report what it owns when that changed), driven in random order while members join
 * and leave and the topic grows. After every step no partition may be owned by two members; at the end, with
 * everybody heartbeating, the group must settle: Stable, every partition owned once, balanced.
 */
class ReconciliationSimulationTest {

    @TempDir
    Path dir;

    /** A client as the coordinator sees it. */
    private static final class SimulatedMember {
        final String memberId;
        int epoch;
        Set<Integer> owned = new HashSet<>();
        Set<Integer> lastReported;

        SimulatedMember(String memberId) {
            this.memberId = memberId;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uniform", "range"})
    void shouldNeverGiveAPartitionToTwoMembersAndSettle(String assignor) throws Exception {
        for (int seed = 0; seed < 30; seed++) {
            run(assignor, seed);
        }
    }

    private void run(String assignor, int seed) throws Exception {
        Path metadata = dir.resolve(assignor + "-" + seed);
        try (LocalController controller = LocalController.open(metadata)) {
            int partitions = 6;
            Uuid topicId = controller.createTopic("t", partitions, Map.of()).topicId();
            ConsumerGroupCoordinator coordinator = new ConsumerGroupCoordinator(
                    ConsumerGroupConfig.KAFKA_DEFAULTS, new FakeGroupTimer(), controller::image, groupId -> true);
            Random random = new Random(seed);
            List<SimulatedMember> members = new ArrayList<>();
            int next = 0;
            for (int step = 0; step < 300; step++) {
                int action = random.nextInt(20);
                if (members.isEmpty() || (action == 0 && members.size() < 5)) {
                    SimulatedMember joining = new SimulatedMember("m" + next++);
                    members.add(joining);
                    beat(coordinator, joining, topicId, assignor, true);
                } else if (action == 1 && members.size() > 1) {
                    SimulatedMember leaving = members.remove(random.nextInt(members.size()));
                    leaving.owned.clear();
                    coordinator.heartbeat(
                            new ConsumerGroupHeartbeatRequestData()
                                    .setGroupId("g")
                                    .setMemberId(leaving.memberId)
                                    .setMemberEpoch(-1),
                            (short) 1,
                            "c",
                            "h");
                } else if (action == 2 && partitions < 12) {
                    partitions += 2;
                    controller.createPartitions("t", partitions, false);
                } else {
                    beat(coordinator, members.get(random.nextInt(members.size())), topicId, assignor, false);
                }
                assertNoPartitionOwnedTwice(members, seed, step);
            }
            for (int round = 0; round < 10; round++) {
                for (SimulatedMember member : members) {
                    beat(coordinator, member, topicId, assignor, false);
                    assertNoPartitionOwnedTwice(members, seed, -round);
                }
            }
            assertThat(coordinator.describe("g").groupState())
                    .as("seed %s", seed)
                    .isEqualTo("Stable");
            Set<Integer> all = new HashSet<>();
            members.forEach(m -> all.addAll(m.owned));
            assertThat(all).as("seed %s: every partition owned", seed).hasSize(partitions);
            int min = members.stream().mapToInt(m -> m.owned.size()).min().orElse(0);
            int max = members.stream().mapToInt(m -> m.owned.size()).max().orElse(0);
            assertThat(max - min)
                    .as("seed %s: balanced %s", seed, owned(members))
                    .isLessThanOrEqualTo(1);
            coordinator.close();
        }
    }

    private static void beat(
            ConsumerGroupCoordinator coordinator, SimulatedMember member, Uuid topicId, String assignor, boolean join) {
        ConsumerGroupHeartbeatRequestData request = new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g")
                .setMemberId(member.memberId)
                .setMemberEpoch(join ? 0 : member.epoch);
        if (join) {
            request.setRebalanceTimeoutMs(30_000)
                    .setSubscribedTopicNames(List.of("t"))
                    .setServerAssignor(assignor)
                    .setTopicPartitions(List.of());
            member.lastReported = Set.of();
        } else if (!member.owned.equals(member.lastReported)) {
            request.setTopicPartitions(List.of(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                    .setTopicId(topicId)
                    .setPartitions(new ArrayList<>(member.owned))));
            member.lastReported = Set.copyOf(member.owned);
        }
        ConsumerGroupHeartbeatResponseData response = coordinator.heartbeat(request, (short) 1, "c", "h");
        assertThat(response.errorCode())
                .as("answer to %s: %s", member.memberId, response)
                .isZero();
        member.epoch = response.memberEpoch();
        if (response.assignment() != null) {
            // The client revokes what it is no longer given and takes the rest, at once.
            Set<Integer> assigned = new HashSet<>();
            response.assignment().topicPartitions().forEach(tp -> assigned.addAll(tp.partitions()));
            member.owned = assigned;
        }
    }

    private static void assertNoPartitionOwnedTwice(List<SimulatedMember> members, int seed, int step) {
        Map<Integer, String> owners = new HashMap<>();
        for (SimulatedMember m : members) {
            for (int p : m.owned) {
                String other = owners.put(p, m.memberId);
                assertThat(other)
                        .as(
                                "seed %s step %s: partition %s owned by %s and %s: %s",
                                seed, step, p, other, m.memberId, owned(members))
                        .isNull();
            }
        }
    }

    private static Map<String, Set<Integer>> owned(List<SimulatedMember> members) {
        Map<String, Set<Integer>> owned = new HashMap<>();
        members.forEach(m -> owned.put(m.memberId, m.owned));
        return owned;
    }
}
