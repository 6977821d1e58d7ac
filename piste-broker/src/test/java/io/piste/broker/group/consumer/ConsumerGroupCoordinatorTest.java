package io.piste.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.group.FakeGroupTimer;
import io.piste.broker.group.GroupActivity;
import io.piste.broker.metadata.LocalController;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ConsumerGroupCoordinatorTest {

    private static final short VERSION = 1;
    private static final int SESSION_MS = 45_000;
    private static final int REBALANCE_MS = 30_000;

    @TempDir
    Path dir;

    private final FakeGroupTimer timer = new FakeGroupTimer();
    private final AtomicBoolean classicGroupHasMembers = new AtomicBoolean();
    private LocalController controller;
    private ConsumerGroupCoordinator coordinator;
    private Uuid topicId;

    @BeforeEach
    void setUp() throws Exception {
        controller = LocalController.open(dir.resolve("metadata"));
        topicId = controller.createTopic("t", 4, Map.of()).topicId();
        coordinator = new ConsumerGroupCoordinator(
                ConsumerGroupConfig.KAFKA_DEFAULTS, timer, controller::image, groupId -> !classicGroupHasMembers.get());
    }

    @AfterEach
    void tearDown() throws Exception {
        controller.close();
    }

    private static ConsumerGroupHeartbeatRequestData join(String memberId) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g")
                .setMemberId(memberId)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(REBALANCE_MS)
                .setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of());
    }

    private static ConsumerGroupHeartbeatRequestData beat(String memberId, int epoch) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g")
                .setMemberId(memberId)
                .setMemberEpoch(epoch);
    }

    private ConsumerGroupHeartbeatRequestData owning(String memberId, int epoch, Set<Integer> partitions) {
        return beat(memberId, epoch)
                .setTopicPartitions(List.of(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                        .setTopicId(topicId)
                        .setPartitions(new ArrayList<>(partitions))));
    }

    private ConsumerGroupHeartbeatResponseData send(ConsumerGroupHeartbeatRequestData request) {
        return coordinator.heartbeat(request, VERSION, "client", "/127.0.0.1");
    }

    private static Errors error(ConsumerGroupHeartbeatResponseData response) {
        return Errors.forCode(response.errorCode());
    }

    private Set<Integer> assigned(ConsumerGroupHeartbeatResponseData response) {
        assertThat(response.assignment()).as("an assignment in %s", response).isNotNull();
        Set<Integer> partitions = new HashSet<>();
        response.assignment().topicPartitions().forEach(tp -> {
            assertThat(tp.topicId()).isEqualTo(topicId);
            partitions.addAll(tp.partitions());
        });
        return partitions;
    }

    @Test
    void shouldHandAPartitionToItsNewOwnerOnlyAfterThePreviousOwnerRevokedIt() {
        ConsumerGroupHeartbeatResponseData a = send(join("a"));
        assertThat(error(a)).isEqualTo(Errors.NONE);
        assertThat(a.memberEpoch()).isEqualTo(1);
        assertThat(assigned(a)).containsExactlyInAnyOrder(0, 1, 2, 3);

        ConsumerGroupHeartbeatResponseData b = send(join("b"));
        assertThat(b.memberEpoch()).isEqualTo(2);
        assertThat(assigned(b)).as("a still owns everything").isEmpty();

        ConsumerGroupHeartbeatResponseData aRevoking = send(beat("a", 1));
        assertThat(aRevoking.memberEpoch())
                .as("a keeps its epoch while revoking")
                .isEqualTo(1);
        Set<Integer> aKeeps = assigned(aRevoking);
        assertThat(aKeeps).hasSize(2);
        assertThat(describe().groupState()).isEqualTo("Reconciling");

        assertThat(send(beat("b", 2)).assignment())
                .as("nothing new for b before a revoked")
                .isNull();

        ConsumerGroupHeartbeatResponseData aDone = send(owning("a", 1, aKeeps));
        assertThat(aDone.memberEpoch()).isEqualTo(2);

        ConsumerGroupHeartbeatResponseData bGets = send(beat("b", 2));
        Set<Integer> bGot = assigned(bGets);
        assertThat(bGot).hasSize(2).doesNotContainAnyElementsOf(aKeeps);
        send(owning("b", 2, bGot));
        DescribedGroup described = describe();
        assertThat(described.groupState()).isEqualTo("Stable");
        assertThat(described.groupEpoch()).isEqualTo(2);
        assertThat(described.assignmentEpoch()).isEqualTo(2);
        assertThat(described.assignorName()).isEqualTo("uniform");
        assertThat(described.members()).hasSize(2);
    }

    @Test
    void shouldAskMembersToHeartbeatOftenWhileTheGroupChangesAndAtTheConfiguredIntervalOnceSettled() {
        assertThat(send(join("a")).heartbeatIntervalMs())
                .as("the group has just changed")
                .isEqualTo(500);
        timer.advance(5000);
        assertThat(send(beat("a", 1)).heartbeatIntervalMs())
                .as("settled for a whole interval")
                .isEqualTo(5000);

        assertThat(send(join("b")).heartbeatIntervalMs()).isEqualTo(500);
        timer.advance(3000);
        Set<Integer> aKeeps = assigned(send(beat("a", 1)));
        timer.advance(3000);
        assertThat(send(beat("b", 2)).heartbeatIntervalMs())
                .as("a has not revoked yet: reconciling")
                .isEqualTo(500);
        assertThat(describe().groupState()).isEqualTo("Reconciling");
        send(owning("a", 1, aKeeps));
        send(owning("b", 2, assigned(send(beat("b", 2)))));
        assertThat(describe().groupState()).isEqualTo("Stable");
        assertThat(send(beat("a", 2)).heartbeatIntervalMs())
                .as("stable and settled for 6 s")
                .isEqualTo(5000);

        coordinator = new ConsumerGroupCoordinator(
                new ConsumerGroupConfig(SESSION_MS, 5000, List.of("uniform"), Integer.MAX_VALUE, 5000),
                timer,
                controller::image,
                groupId -> true);
        assertThat(send(join("c").setGroupId("h")).heartbeatIntervalMs())
                .as("Kafka's fixed interval")
                .isEqualTo(5000);
    }

    @Test
    void shouldFenceWrongEpochsAndUnknownMembers() {
        send(join("a"));

        assertThat(error(send(beat("a", 5)))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        assertThat(error(send(beat("x", 1)))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(error(send(beat("a", 1).setGroupId("unknown")))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        // The previous epoch is accepted only with owned partitions it was given.
        send(join("b"));
        assertThat(send(beat("a", 1)).memberEpoch()).as("revoking at epoch 1").isEqualTo(1);
        ConsumerGroupHeartbeatResponseData a = send(owning("a", 1, Set.of()));
        assertThat(a.memberEpoch()).isEqualTo(2);
        assertThat(error(send(owning("a", 1, Set.of())))).isEqualTo(Errors.NONE);
        assertThat(error(send(owning("a", 1, Set.of(0, 1, 2, 3))))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
    }

    @Test
    void shouldRefuseMalformedJoinsAndUnknownAssignors() {
        assertThat(error(send(join("a").setRebalanceTimeoutMs(-1)))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(send(join("a").setTopicPartitions(null)))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(send(join("")))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(send(join("a").setServerAssignor("sticky")))).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
        assertThat(error(send(join("a").setSubscribedTopicNames(null).setSubscribedTopicRegex("(unclosed"))))
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
        assertThat(coordinator.isConsumerGroup("g"))
                .as("no group made by refused requests")
                .isFalse();
    }

    /**
     * A client's regular expression is matched in linear time (RE2/J, as Kafka): {@code (.*a){20}} against forty
     * {@code a} and a {@code -} backtracks some 10^11 times with java.util.regex, under the coordinator's lock
     * (the JDK short-cuts the classic {@code (a+)+$}, but not this).
     */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldMatchAClientRegexInLinearTime() throws Exception {
        controller.createTopic("a".repeat(40) + "-", 1, Map.of());
        controller.createTopic("a".repeat(20), 1, Map.of());

        ConsumerGroupHeartbeatResponseData joined =
                send(join("a").setSubscribedTopicNames(null).setSubscribedTopicRegex("(.*a){20}"));

        assertThat(error(joined)).isEqualTo(Errors.NONE);
        assertThat(coordinator.subscribedTopicNames("g")).containsExactly("a".repeat(20));
    }

    @Test
    void shouldRefuseARegexKafkaRefuses() {
        // RE2 syntax, as Kafka: no backreferences or lookaround.
        assertThat(error(send(join("a").setSubscribedTopicNames(null).setSubscribedTopicRegex("(a)\\1"))))
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
        assertThat(error(send(join("a").setSubscribedTopicNames(null).setSubscribedTopicRegex("a(?=b)"))))
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    }

    @Test
    void shouldRefuseMembersBeyondTheMaximumGroupSize() {
        coordinator = new ConsumerGroupCoordinator(
                new ConsumerGroupConfig(SESSION_MS, 5000, List.of("uniform"), 2, 500),
                timer,
                controller::image,
                groupId -> true);
        send(join("a"));
        send(join("b"));

        assertThat(error(send(join("c")))).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
        assertThat(describe().members()).hasSize(2);
        assertThat(error(send(join("a")))).as("a member already in may rejoin").isEqualTo(Errors.NONE);
    }

    @Test
    void shouldRemoveAMemberWhoseSessionTimesOut() {
        send(join("a"));
        send(join("b"));
        timer.advance(SESSION_MS - 1000);
        Set<Integer> aKeeps = assigned(send(beat("a", 1)));
        timer.advance(2000);

        assertThat(describe().members()).extracting(m -> m.memberId()).containsExactly("a");
        ConsumerGroupHeartbeatResponseData a = send(owning("a", 1, aKeeps));
        assertThat(a.memberEpoch()).isEqualTo(3);
        assertThat(assigned(a)).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void shouldRemoveAMemberThatDoesNotRevokeWithinItsRebalanceTimeout() {
        send(join("a"));
        send(join("b"));
        send(beat("a", 1));
        timer.advance(REBALANCE_MS / 2);
        send(beat("a", 1));
        send(beat("b", 2));
        timer.advance(REBALANCE_MS / 2 + 1);

        assertThat(error(send(beat("a", 1)))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(assigned(send(beat("b", 2)))).as("b gets all once a is gone").hasSize(4);
    }

    @Test
    void shouldGiveAStaticMemberItsPartitionsBackWhenItRejoinsWithinItsSession() {
        send(join("a").setInstanceId("i-a"));
        send(join("b"));
        ConsumerGroupHeartbeatResponseData aRevoking = send(beat("a", 1));
        Set<Integer> aKeeps = assigned(aRevoking);
        send(owning("a", 1, aKeeps));
        int groupEpoch = describe().groupEpoch();

        ConsumerGroupHeartbeatResponseData left = send(beat("a", -2).setInstanceId("i-a"));
        assertThat(left.memberEpoch()).isEqualTo(-2);
        assertThat(describe().members())
                .anySatisfy(m -> assertThat(m.memberEpoch()).isEqualTo(-2));
        assertThat(error(send(join("c").setInstanceId("i-c")))).isEqualTo(Errors.NONE);

        ConsumerGroupHeartbeatResponseData back = send(join("a2").setInstanceId("i-a"));
        assertThat(error(back)).isEqualTo(Errors.NONE);
        assertThat(back.memberEpoch())
                .as("the epoch of the earlier incarnation")
                .isEqualTo(groupEpoch);
        assertThat(assigned(back))
                .as("partitions of the earlier incarnation, none taken away in its absence")
                .isNotEmpty()
                .isSubsetOf(aKeeps);
        assertThat(describe().members())
                .extracting(m -> m.memberId())
                .doesNotContain("a")
                .contains("a2");
        assertThat(describe().groupEpoch())
                .as("c joined, the static rejoin moved no epoch")
                .isEqualTo(groupEpoch + 1);
        assertThat(error(send(join("a3").setInstanceId("i-a")))).isEqualTo(Errors.UNRELEASED_INSTANCE_ID);
    }

    @Test
    void shouldAssignPartitionsAddedToASubscribedTopic() throws Exception {
        ConsumerGroupHeartbeatResponseData a = send(join("a"));
        controller.createPartitions("t", 6, false);

        ConsumerGroupHeartbeatResponseData next = send(owning("a", a.memberEpoch(), Set.of(0, 1, 2, 3)));

        assertThat(next.memberEpoch()).isEqualTo(2);
        assertThat(assigned(next)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
    }

    @Test
    void shouldCheckOffsetCommitsAgainstTheMemberEpoch() {
        send(join("a"));

        assertThat(commit("a", 1, 0, 1, 2, 3)).isEqualTo(Errors.NONE);
        assertThat(commit("a", 0, 0))
                .as("older than the partition's assignment epoch")
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit("a", 2, 0)).as("newer than the member's").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit("x", 1, 0)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(coordinator.validateOffsetCommit("g", "a", 1, (short) 8, Map.of()))
                .isEqualTo(Errors.UNSUPPORTED_VERSION);
        assertThat(commit("", -1, 0)).as("admin commit to an active group").isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(coordinator.validateOffsetCommit("other", "a", 1, (short) 9, Map.of()))
                .as("not a consumer group")
                .isNull();
        assertThat(coordinator.validateOffsetFetch("g", "a", 0)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(coordinator.validateOffsetFetch("g", null, -1)).isEqualTo(Errors.NONE);

        send(beat("a", -1));
        assertThat(commit("", -1, 0)).isEqualTo(Errors.NONE);
    }

    /**
     * KIP-1251: a commit sent with an older member epoch (a heartbeat moved the member on while it was in flight) is
     * accepted for the partitions the member still owns if the epoch is at least the one at which the member was
     * assigned the partition; otherwise STALE_MEMBER_EPOCH. Partitions pending revocation: {@link
     * MemberEpochChecksTest}.
     */
    @Test
    void shouldAcceptACommitWithAnOlderEpochForPartitionsTheMemberOwnedSinceThatEpoch() {
        send(join("a"));
        send(join("b"));
        Set<Integer> aKeeps = assigned(send(beat("a", 1)));
        assertThat(send(owning("a", 1, aKeeps)).memberEpoch()).isEqualTo(2);
        Set<Integer> bGot = assigned(send(beat("b", 2)));
        send(owning("b", 2, bGot));
        int aKept = aKeeps.iterator().next();
        int bTook = bGot.iterator().next();

        assertThat(commit("a", 1, aKept)).as("still owned since epoch 1").isEqualTo(Errors.NONE);
        assertThat(commit("a", 1, aKept, bTook)).as("a partition a gave up").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit("a", 1, 7)).as("a partition that does not exist").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit("a", 3, aKept)).as("newer than a's epoch").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(coordinator.validateOffsetCommit("g", "a", 1, (short) 9, Map.of(Uuid.randomUuid(), Set.of(0))))
                .as("a topic the member does not own")
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);

        // a leaves: b is given a's partitions at the group's new epoch, and keeps its own from epoch 2.
        send(beat("a", -1));
        ConsumerGroupHeartbeatResponseData bNow = send(owning("b", 2, bGot));
        assertThat(assigned(bNow)).hasSize(4);
        int bEpoch = bNow.memberEpoch();
        assertThat(bEpoch).isEqualTo(3);
        assertThat(commit("b", 2, bTook)).as("owned since epoch 2").isEqualTo(Errors.NONE);
        assertThat(commit("b", 2, aKept)).as("b was given it at epoch 3").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit("b", bEpoch, aKept, bTook)).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldKeepTheGroupTypesApart() {
        classicGroupHasMembers.set(true);
        assertThat(error(send(join("a")))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        classicGroupHasMembers.set(false);
        send(join("a"));

        AtomicBoolean ran = new AtomicBoolean();
        assertThat(coordinator.runAsClassicGroup("g", () -> ran.set(true)))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(ran).isFalse();
        assertThat(coordinator.deleteGroup("g")).isEqualTo(Errors.NON_EMPTY_GROUP);

        send(beat("a", -1));
        assertThat(describe().groupState()).isEqualTo("Empty");
        assertThat(coordinator.listGroups(List.of(), List.of("consumer"))).hasSize(1);
        assertThat(coordinator.listGroups(List.of(), List.of("classic"))).isEmpty();
        assertThat(coordinator.listGroups(List.of("stable"), List.of())).isEmpty();
        assertThat(coordinator.runAsClassicGroup("g", () -> ran.set(true))).isEqualTo(Errors.NONE);
        assertThat(ran).as("an Empty consumer group gives its id up").isTrue();
        assertThat(coordinator.isConsumerGroup("g")).isFalse();
        assertThat(coordinator.deleteGroup("g")).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void shouldTellOffsetsRetentionWhatTheGroupSubscribesToAndWhenItEmptied() {
        send(join("a"));
        GroupActivity active = coordinator.activity("g");
        assertThat(active.hasMembers()).isTrue();
        assertThat(active.subscribedTopics()).containsExactly("t");

        timer.advance(1234);
        send(beat("a", -1));
        GroupActivity empty = coordinator.activity("g");
        assertThat(empty.hasMembers()).isFalse();
        assertThat(empty.emptySinceMs()).isEqualTo(1234);
        coordinator.removeIfEmpty("g");
        assertThat(coordinator.isConsumerGroup("g")).isFalse();
    }

    @Test
    void shouldForgetEmptyGroupsWithoutOffsetsAtTheCleanup() {
        send(join("a"));
        coordinator.scheduleCleanup(groupId -> false, 10_000);
        timer.advance(10_000);
        assertThat(coordinator.isConsumerGroup("g"))
                .as("a group with members stays")
                .isTrue();

        send(beat("a", -1));
        coordinator.removeEmptyGroupsWithoutOffsets(groupId -> true);
        assertThat(coordinator.isConsumerGroup("g"))
                .as("an Empty group with offsets stays")
                .isTrue();
        timer.advance(10_000);
        assertThat(coordinator.isConsumerGroup("g")).isFalse();
    }

    private Errors commit(String memberId, int epoch, Integer... partitions) {
        return coordinator.validateOffsetCommit("g", memberId, epoch, (short) 9, Map.of(topicId, Set.of(partitions)));
    }

    private DescribedGroup describe() {
        DescribedGroup described = coordinator.describe("g");
        assertThat(described.errorCode()).isZero();
        return described;
    }
}
