package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The transitions of one classic group, driven directly: this test plays the coordinator. */
class ClassicGroupTest {

    private static final int SESSION_MS = 10_000;
    private static final int REBALANCE_MS = 30_000;

    private final FakeGroupTimer timer = new FakeGroupTimer();
    private final List<GroupRecord> written = new ArrayList<>();
    /** Timer tasks come back to the group directly; their answers are sent as the coordinator sends them. */
    private final ClassicGroup group = new ClassicGroup("g", new ClassicGroup.Coordination() {
        @Override
        public long nowMs() {
            return timer.nowMs();
        }

        @Override
        public int initialRebalanceDelayMs() {
            return 0;
        }

        @Override
        public GroupTimer.Scheduled scheduleJoinTimeout(String groupId, int generationId, long delayMs) {
            return timer.schedule(delayMs, () -> sendAfter(r -> group.onJoinTimeout(generationId, r)));
        }

        @Override
        public GroupTimer.Scheduled scheduleSessionTimeout(String groupId, GroupMember member, long delayMs) {
            return timer.schedule(delayMs, () -> sendAfter(r -> group.onSessionTimeout(member, r)));
        }

        @Override
        public GroupTimer.Scheduled schedulePendingMemberTimeout(String groupId, String memberId, long delayMs) {
            return timer.schedule(delayMs, () -> sendAfter(r -> group.forgetPendingMember(memberId, r)));
        }

        @Override
        public void writeMembership(ClassicGroup g) {
            written.add(g.toRecord(timer.nowMs()));
        }
    });

    /** Runs a transition as the coordinator does under its lock, then sends its answers. */
    private static void sendAfter(Consumer<DeferredResponses> transition) {
        DeferredResponses responses = new DeferredResponses();
        transition.accept(responses);
        responses.send();
    }

    private static JoinGroupRequestData join() {
        return new JoinGroupRequestData()
                .setGroupId("g")
                .setProtocolType("consumer")
                .setSessionTimeoutMs(SESSION_MS)
                .setRebalanceTimeoutMs(REBALANCE_MS);
    }

    private static Map<String, byte[]> protocols(String... names) {
        Map<String, byte[]> protocols = new LinkedHashMap<>();
        for (String name : names) {
            protocols.put(name, name.getBytes());
        }
        return protocols;
    }

    /** Adds a member that joins with {@code protocols}; its answer is in the returned reference once sent. */
    private AtomicReference<JoinGroupResponseData> add(String memberId, String instanceId, String... protocols) {
        AtomicReference<JoinGroupResponseData> answer = new AtomicReference<>();
        sendAfter(r -> group.addMember(
                new GroupMember(memberId, instanceId, "client", "/127.0.0.1"),
                join(),
                protocols(protocols.length == 0 ? new String[] {"range"} : protocols),
                answer::set,
                r));
        return answer;
    }

    private AtomicReference<JoinGroupResponseData> rejoin(String memberId) {
        AtomicReference<JoinGroupResponseData> answer = new AtomicReference<>();
        sendAfter(r -> group.rejoin(group.member(memberId), join(), protocols("range"), answer::set, r));
        return answer;
    }

    private AtomicReference<SyncGroupResponseData> awaitAssignment(String memberId) {
        AtomicReference<SyncGroupResponseData> answer = new AtomicReference<>();
        group.awaitAssignment(group.member(memberId), answer::set);
        return answer;
    }

    /** One member, Stable in generation 1 with assignment {1}. */
    private void stableWithOneMember() {
        add("a", null);
        AtomicReference<SyncGroupResponseData> synced = awaitAssignment("a");
        group.assign(Map.of("a", new byte[] {1}));
        sendAfter(r -> group.completeAssignment(1, Errors.NONE, r));
        assertThat(synced.get().assignment()).containsExactly(1);
    }

    @Test
    void shouldCompleteTheFirstJoinAtOnceAndAnswerOnlyWhenTheAnswersAreSent() {
        AtomicReference<JoinGroupResponseData> answer = new AtomicReference<>();
        DeferredResponses responses = new DeferredResponses();
        group.addMember(
                new GroupMember("a", null, "client", "/127.0.0.1"), join(), protocols("range"), answer::set, responses);

        assertThat(group.state()).isEqualTo(GroupState.COMPLETING_REBALANCE);
        assertThat(group.generationId()).isEqualTo(1);
        assertThat(group.leaderId()).isEqualTo("a");
        assertThat(group.protocolName()).isEqualTo("range");
        assertThat(answer.get()).as("not before the answers are sent").isNull();

        responses.send();

        assertThat(answer.get().generationId()).isEqualTo(1);
        assertThat(answer.get().members()).as("the leader gets the members").hasSize(1);
    }

    @Test
    void shouldWaitForEveryMemberToRejoinThenMoveToTheNextGeneration() {
        stableWithOneMember();

        AtomicReference<JoinGroupResponseData> b = add("b", null);
        assertThat(group.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(b.get()).as("waits for a").isNull();
        AtomicReference<JoinGroupResponseData> a = rejoin("a");

        assertThat(group.state()).isEqualTo(GroupState.COMPLETING_REBALANCE);
        assertThat(a.get().generationId()).isEqualTo(2);
        assertThat(b.get().generationId()).isEqualTo(2);
        assertThat(a.get().leader()).isEqualTo("a");
        assertThat(b.get().members()).as("a follower gets no members").isEmpty();
    }

    @Test
    void shouldDropAMemberThatDoesNotRejoinWithinTheRebalanceTimeout() {
        stableWithOneMember();
        AtomicReference<JoinGroupResponseData> b = add("b", null);
        // a keeps its session alive but never rejoins.
        for (int i = 1; i < REBALANCE_MS / 3000; i++) {
            timer.advance(3000);
            group.touchSession(group.member("a"));
        }
        assertThat(b.get()).isNull();

        timer.advance(3000);

        assertThat(b.get().generationId()).isEqualTo(2);
        assertThat(group.member("a")).isNull();
        assertThat(group.leaderId()).as("leadership passes to a member left").isEqualTo("b");
    }

    @Test
    void shouldBecomeEmptyAndWriteItsMembershipWhenTheLastMemberLeaves() {
        stableWithOneMember();
        timer.advance(500);

        sendAfter(r -> group.removeMember(group.member("a"), r));

        assertThat(group.state()).isEqualTo(GroupState.EMPTY);
        assertThat(group.generationId()).isEqualTo(2);
        assertThat(group.emptySinceMs()).isEqualTo(500);
        assertThat(group.leaderId()).isNull();
        assertThat(written).hasSize(1);
        assertThat(written.get(0).members()).isEmpty();
        assertThat(written.get(0).generationId()).isEqualTo(2);
    }

    @Test
    void shouldFailTheWaitingSyncsAndRebalanceWhenTheAssignmentCannotBeWritten() {
        add("a", null);
        AtomicReference<SyncGroupResponseData> synced = awaitAssignment("a");
        group.assign(Map.of("a", new byte[] {1}));

        sendAfter(r -> group.completeAssignment(1, Errors.COORDINATOR_NOT_AVAILABLE, r));

        assertThat(Errors.forCode(synced.get().errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(group.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(group.member("a").assignment).isEmpty();
    }

    @Test
    void shouldIgnoreAnAssignmentWrittenForAnEarlierGeneration() {
        add("a", null);
        AtomicReference<SyncGroupResponseData> synced = awaitAssignment("a");

        sendAfter(r -> group.completeAssignment(0, Errors.NONE, r));

        assertThat(group.state()).isEqualTo(GroupState.COMPLETING_REBALANCE);
        assertThat(synced.get()).isNull();
    }

    @Test
    void shouldFenceAReplacedStaticMemberAndHandItsAssignmentAndLeadershipOn() {
        add("a1", "a");
        AtomicReference<SyncGroupResponseData> oldSync = awaitAssignment("a1");
        group.assign(Map.of("a1", new byte[] {5}));
        GroupMember old = group.member("a1");

        DeferredResponses responses = new DeferredResponses();
        GroupMember replacing = group.replaceStaticMember(old, "a2", "client", "/127.0.0.1", responses);
        responses.send();

        assertThat(Errors.forCode(oldSync.get().errorCode())).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(group.staticMemberId("a")).isEqualTo("a2");
        assertThat(group.leaderId()).isEqualTo("a2");
        assertThat(replacing.assignment).containsExactly(5);
        assertThat(group.checkMember("a1", "a", 1)).isEqualTo(Errors.FENCED_INSTANCE_ID);
    }

    @Test
    void shouldPutTheOldStaticMemberBackWhenItsReplacementCannotBeWritten() {
        stableWithOneMember();
        sendAfter(r -> group.addMember(
                new GroupMember("s1", "s", "client", "/127.0.0.1"), join(), protocols("range"), x -> {}, r));
        sendAfter(r -> group.rejoin(group.member("a"), join(), protocols("range"), x -> {}, r));
        awaitAssignment("a");
        awaitAssignment("s1");
        sendAfter(r -> group.completeAssignment(2, Errors.NONE, r));
        assertThat(group.state()).isEqualTo(GroupState.STABLE);
        GroupMember old = group.member("s1");

        GroupMember replacing = group.replaceStaticMember(old, "s2", "client", "/127.0.0.1", new DeferredResponses());
        group.keepWithoutRebalance(replacing, join(), protocols("range"));
        group.undoStaticReplacement(2, old, replacing, false);

        assertThat(group.staticMemberId("s")).isEqualTo("s1");
        assertThat(group.member("s2")).isNull();
        assertThat(group.member("s1")).isSameAs(old);
        assertThat(group.leaderId()).isEqualTo("a");
    }

    @Test
    void shouldExpireAMemberOnlyOnceItsSessionRunsOutSinceItsLastHeartbeat() {
        stableWithOneMember();
        timer.advance(SESSION_MS / 2);
        group.touchSession(group.member("a"));

        timer.advance(SESSION_MS / 2);
        assertThat(group.member("a")).as("heartbeated half a session ago").isNotNull();

        timer.advance(SESSION_MS / 2);
        assertThat(group.member("a")).isNull();
        assertThat(group.state()).isEqualTo(GroupState.EMPTY);
    }

    @Test
    void shouldForgetAPendingMemberThatDoesNotComeBack() {
        stableWithOneMember();
        group.addPendingMember("p", SESSION_MS);
        AtomicReference<JoinGroupResponseData> a = rejoin("a");
        assertThat(a.get()).as("waits for the pending member").isNull();

        timer.advance(SESSION_MS);

        assertThat(a.get().generationId()).isEqualTo(2);
        assertThat(a.get().members())
                .extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactly("a");
    }

    @Test
    void shouldChooseTheProtocolMostMembersPreferAmongThoseAllSupport() {
        add("a", null, "roundrobin", "range");
        AtomicReference<JoinGroupResponseData> b = add("b", null, "range", "roundrobin", "sticky");
        assertThat(group.supportsProtocols("consumer", List.of("sticky"))).isFalse();
        assertThat(group.supportsProtocols("consumer", List.of("sticky", "range")))
                .isTrue();
        assertThat(group.supportsProtocols("connect", List.of("range"))).isFalse();
        sendAfter(r -> group.rejoin(group.member("a"), join(), protocols("range", "roundrobin"), x -> {}, r));

        assertThat(b.get().protocolName()).isEqualTo("range");
    }
}
