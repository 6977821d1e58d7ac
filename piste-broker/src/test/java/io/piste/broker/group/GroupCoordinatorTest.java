package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class GroupCoordinatorTest {

    private static final short JOIN_VERSION = 9;
    private static final int SESSION_MS = 10_000;
    private static final int REBALANCE_MS = 30_000;

    private final FakeGroupTimer timer = new FakeGroupTimer();

    private GroupCoordinator coordinator(int initialDelayMs) {
        return new GroupCoordinator(new GroupConfig(initialDelayMs, 6000, 1_800_000, 4096, 5, 60_000, 1000), timer);
    }

    private static JoinGroupRequestData join(String memberId, String... protocols) {
        JoinGroupRequestProtocolCollection collection = new JoinGroupRequestProtocolCollection();
        for (String p : protocols.length == 0 ? new String[] {"range"} : protocols) {
            collection.add(new JoinGroupRequestProtocol().setName(p).setMetadata(p.getBytes()));
        }
        return new JoinGroupRequestData()
                .setGroupId("g")
                .setMemberId(memberId)
                .setProtocolType("consumer")
                .setSessionTimeoutMs(SESSION_MS)
                .setRebalanceTimeoutMs(REBALANCE_MS)
                .setProtocols(collection);
    }

    private static AtomicReference<JoinGroupResponseData> joinAsync(GroupCoordinator c, JoinGroupRequestData r) {
        AtomicReference<JoinGroupResponseData> answer = new AtomicReference<>();
        c.joinGroup(r, JOIN_VERSION, "client", "/127.0.0.1", answer::set);
        return answer;
    }

    /** First join (MEMBER_ID_REQUIRED) then the join with the given id; returns the second join's pending answer. */
    private static AtomicReference<JoinGroupResponseData> newMember(GroupCoordinator c) {
        JoinGroupResponseData first = joinAsync(c, join("")).get();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("client-");
        return joinAsync(c, join(first.memberId()));
    }

    private static AtomicReference<SyncGroupResponseData> sync(
            GroupCoordinator c, JoinGroupResponseData joined, SyncGroupRequestAssignment... assignments) {
        AtomicReference<SyncGroupResponseData> answer = new AtomicReference<>();
        c.syncGroup(
                new SyncGroupRequestData()
                        .setGroupId("g")
                        .setMemberId(joined.memberId())
                        .setGenerationId(joined.generationId())
                        .setProtocolType("consumer")
                        .setProtocolName("range")
                        .setAssignments(List.of(assignments)),
                answer::set);
        return answer;
    }

    private static Errors heartbeat(GroupCoordinator c, String memberId, int generation) {
        return c.heartbeat(
                new HeartbeatRequestData().setGroupId("g").setMemberId(memberId).setGenerationId(generation));
    }

    /** 30,000 bytes of 0xFF as a request decodes them: 90,000 bytes of UTF-8, beyond a stored string's int16. */
    private static String malformed() {
        byte[] bytes = new byte[30_000];
        java.util.Arrays.fill(bytes, (byte) 0xFF);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * A join whose strings would not fit the group's membership record is refused before it touches the group: once
     * in, every later write of the group's membership would fail.
     */
    @Test
    void shouldRefuseAJoinWithAStringTooLongForTheMembershipRecord() {
        GroupCoordinator c = coordinator(0);
        AtomicReference<JoinGroupResponseData> byClientId = new AtomicReference<>();
        c.joinGroup(join(""), JOIN_VERSION, malformed(), "/127.0.0.1", byClientId::set);
        JoinGroupResponseData byInstance =
                joinAsync(c, join("").setGroupInstanceId(malformed())).get();
        JoinGroupResponseData byProtocol = joinAsync(c, join("", malformed())).get();
        JoinGroupResponseData byType =
                joinAsync(c, join("").setProtocolType(malformed())).get();

        assertThat(Errors.forCode(byClientId.get().errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(Errors.forCode(byInstance.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(Errors.forCode(byProtocol.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(Errors.forCode(byType.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        AtomicReference<JoinGroupResponseData> joined = newMember(c);
        assertThat(joined.get().errorCode()).isZero();
        assertThat(joined.get().members()).as("only the well-formed member").hasSize(1);
    }

    @Test
    void shouldRequireKnownMemberIdFromJoinV4() {
        GroupCoordinator c = coordinator(0);
        AtomicReference<JoinGroupResponseData> joined = newMember(c);

        assertThat(joined.get()).isNotNull();
        assertThat(joined.get().errorCode()).isZero();
        assertThat(joined.get().generationId()).isEqualTo(1);
        assertThat(joined.get().leader()).isEqualTo(joined.get().memberId());
        assertThat(joined.get().protocolName()).isEqualTo("range");
        assertThat(joined.get().members()).hasSize(1);
        assertThat(c.admin().stateOf("g")).isEqualTo("CompletingRebalance");
    }

    @Test
    void shouldHoldFirstRebalanceForInitialDelay() {
        GroupCoordinator c = coordinator(3000);
        AtomicReference<JoinGroupResponseData> first = newMember(c);
        timer.advance(1000);
        AtomicReference<JoinGroupResponseData> second = newMember(c);
        timer.advance(1999);
        assertThat(first.get()).as("still inside the initial delay").isNull();

        timer.advance(1);

        assertThat(first.get().generationId()).isEqualTo(1);
        assertThat(second.get().generationId()).isEqualTo(1);
        assertThat(List.of(first.get().members().size(), second.get().members().size()))
                .containsExactlyInAnyOrder(2, 0);
    }

    @Test
    void shouldRebalanceWhenSecondMemberJoinsAndHandLeaderAssignmentToEveryone() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 = newMember(c).get();
        sync(c, a1, new SyncGroupRequestAssignment().setMemberId(a1.memberId()).setAssignment(new byte[] {1}));
        assertThat(c.admin().stateOf("g")).isEqualTo("Stable");

        AtomicReference<JoinGroupResponseData> b = newMember(c);
        assertThat(b.get()).as("waits for the old member to rejoin").isNull();
        assertThat(heartbeat(c, a1.memberId(), 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData a2 = joinAsync(c, join(a1.memberId())).get();

        assertThat(a2.generationId()).isEqualTo(2);
        assertThat(b.get().generationId()).isEqualTo(2);
        assertThat(a2.leader()).isEqualTo(a1.memberId());
        assertThat(a2.members()).hasSize(2);
        assertThat(b.get().members()).isEmpty();

        AtomicReference<SyncGroupResponseData> followerSync = sync(c, b.get());
        assertThat(followerSync.get()).as("waits for the leader's assignment").isNull();
        AtomicReference<SyncGroupResponseData> leaderSync = sync(
                c,
                a2,
                new SyncGroupRequestAssignment().setMemberId(a2.memberId()).setAssignment(new byte[] {1}),
                new SyncGroupRequestAssignment().setMemberId(b.get().memberId()).setAssignment(new byte[] {2}));

        assertThat(leaderSync.get().assignment()).containsExactly(1);
        assertThat(followerSync.get().assignment()).containsExactly(2);
        assertThat(c.admin().stateOf("g")).isEqualTo("Stable");
        assertThat(heartbeat(c, b.get().memberId(), 2)).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldRejectStaleGenerationUnknownMemberAndInconsistentProtocol() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a = newMember(c).get();

        assertThat(heartbeat(c, a.memberId(), 0)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(heartbeat(c, "nobody", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(joinAsync(c, join("", "roundrobin")).get().errorCode())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        assertThat(joinAsync(c, join("ghost")).get().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(c.offsetChecks().validateOffsetCommit("g", 0, a.memberId(), null))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(c.offsetChecks().validateOffsetCommit("g", 1, a.memberId(), null))
                .as("awaiting the assignment")
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(c.offsetChecks().validateOffsetCommit("g", -1, "", null))
                .as("simple commit to a group with members")
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(c.offsetChecks().validateOffsetCommit("other", -1, "", null)).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldExpireMemberThatStopsHeartbeatingAndRebalanceTheRest() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 = newMember(c).get();
        sync(c, a1);
        AtomicReference<JoinGroupResponseData> b = newMember(c);
        JoinGroupResponseData a2 = joinAsync(c, join(a1.memberId())).get();
        sync(c, a2);
        sync(c, b.get());
        assertThat(c.admin().stateOf("g")).isEqualTo("Stable");

        // Only b heartbeats: fine until a's session times out, then b is told to rejoin.
        List<Errors> told = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            timer.advance(3000);
            told.add(heartbeat(c, b.get().memberId(), 2));
        }
        assertThat(told).containsExactly(Errors.NONE, Errors.NONE, Errors.NONE, Errors.REBALANCE_IN_PROGRESS);

        assertThat(c.admin().stateOf("g")).isEqualTo("PreparingRebalance");
        assertThat(heartbeat(c, a1.memberId(), 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        JoinGroupResponseData b3 = joinAsync(c, join(b.get().memberId())).get();
        assertThat(b3.generationId()).isEqualTo(3);
        assertThat(b3.leader()).isEqualTo(b.get().memberId());
        assertThat(b3.members()).hasSize(1);
    }

    @Test
    void shouldDropMemberThatDoesNotRejoinWithinRebalanceTimeout() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 = newMember(c).get();
        sync(c, a1);
        AtomicReference<JoinGroupResponseData> b = newMember(c);
        // a keeps heartbeating (told REBALANCE_IN_PROGRESS) but never rejoins.
        for (int i = 0; i < REBALANCE_MS / 3000; i++) {
            timer.advance(3000);
            heartbeat(c, a1.memberId(), 1);
        }
        timer.advance(1);

        assertThat(b.get().generationId()).isEqualTo(2);
        assertThat(b.get().members())
                .extracting(m -> m.memberId())
                .containsExactly(b.get().memberId());
    }

    @Test
    void shouldRebalanceWhenMemberLeavesAndBecomeEmptyWhenLastLeaves() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a = newMember(c).get();
        sync(c, a);

        assertThat(c.leaveGroup("g", a.memberId(), null)).isEqualTo(Errors.NONE);

        assertThat(c.admin().stateOf("g")).isEqualTo("Empty");
        assertThat(c.leaveGroup("g", a.memberId(), null)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(c.offsetChecks().validateOffsetCommit("g", -1, "", null)).isEqualTo(Errors.NONE);
        assertThat(c.admin().listGroups(List.of("Empty"), null))
                .extracting(g -> g.groupId())
                .containsExactly("g");
        assertThat(c.admin().deleteGroup("g")).isEqualTo(Errors.NONE);
        assertThat(c.admin().describeGroup("g").groupState()).isEqualTo("Dead");
    }

    @Test
    void shouldFailPendingSyncWhenRebalanceRestarts() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 = newMember(c).get();
        sync(c, a1);
        AtomicReference<JoinGroupResponseData> b = newMember(c);
        JoinGroupResponseData a2 = joinAsync(c, join(a1.memberId())).get();
        AtomicReference<SyncGroupResponseData> followerSync = sync(c, b.get());

        List<Errors> seen = new ArrayList<>();
        newMember(c);
        seen.add(Errors.forCode(followerSync.get().errorCode()));

        assertThat(seen).containsExactly(Errors.REBALANCE_IN_PROGRESS);
        assertThat(a2.generationId()).isEqualTo(2);
    }

    @Test
    void shouldLetStaticFollowerRejoinWithoutRebalance() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 =
                joinAsync(c, join("").setGroupInstanceId("a")).get();
        sync(c, a1);
        AtomicReference<JoinGroupResponseData> b = joinAsync(c, join("").setGroupInstanceId("b"));
        JoinGroupResponseData a2 =
                joinAsync(c, join(a1.memberId()).setGroupInstanceId("a")).get();
        sync(c, b.get());
        sync(
                c,
                a2,
                new SyncGroupRequestAssignment().setMemberId(b.get().memberId()).setAssignment(new byte[] {7}));
        assertThat(c.admin().stateOf("g")).isEqualTo("Stable");

        // b restarts: a new member id for the same instance id.
        JoinGroupResponseData b2 =
                joinAsync(c, join("").setGroupInstanceId("b")).get();

        assertThat(b2.errorCode()).isZero();
        assertThat(b2.generationId()).isEqualTo(2);
        assertThat(b2.memberId()).isNotEqualTo(b.get().memberId());
        assertThat(c.admin().stateOf("g")).isEqualTo("Stable");
        assertThat(sync(c, b2).get().assignment()).containsExactly(7);
        assertThat(heartbeat(c, a2.memberId(), 2)).isEqualTo(Errors.NONE);
        assertThat(joinAsync(c, join(b.get().memberId()).setGroupInstanceId("b"))
                        .get()
                        .errorCode())
                .isEqualTo(Errors.FENCED_INSTANCE_ID.code());
    }

    @Test
    void shouldLetStaticLeaderRejoinWithoutRebalanceAndSkipAssignment() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 =
                joinAsync(c, join("").setGroupInstanceId("a")).get();
        sync(c, a1);
        AtomicReference<JoinGroupResponseData> b = joinAsync(c, join("").setGroupInstanceId("b"));
        JoinGroupResponseData a2 =
                joinAsync(c, join(a1.memberId()).setGroupInstanceId("a")).get();
        assertThat(a2.leader()).isEqualTo(a1.memberId());
        sync(c, b.get());
        sync(c, a2, new SyncGroupRequestAssignment().setMemberId(a2.memberId()).setAssignment(new byte[] {5}));

        // The leader a restarts: a new member id for the same instance id.
        JoinGroupResponseData a3 =
                joinAsync(c, join("").setGroupInstanceId("a")).get();

        assertThat(a3.errorCode()).isZero();
        assertThat(c.admin().stateOf("g")).isEqualTo("Stable");
        assertThat(a3.generationId()).isEqualTo(2);
        assertThat(a3.leader()).isEqualTo(a3.memberId());
        assertThat(a3.skipAssignment()).isTrue();
        assertThat(a3.members())
                .extracting(JoinGroupResponseData.JoinGroupResponseMember::groupInstanceId)
                .containsExactlyInAnyOrder("a", "b");
        assertThat(sync(c, a3).get().assignment())
                .as("the old incarnation's assignment")
                .containsExactly(5);
        assertThat(heartbeat(c, b.get().memberId(), 2)).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldFenceEveryRequestOfAReplacedStaticMember() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 =
                joinAsync(c, join("").setGroupInstanceId("a")).get();
        sync(c, a1);
        JoinGroupResponseData a2 =
                joinAsync(c, join("").setGroupInstanceId("a")).get();
        assertThat(a2.memberId()).isNotEqualTo(a1.memberId());

        assertThat(c.heartbeat(new HeartbeatRequestData()
                        .setGroupId("g")
                        .setMemberId(a1.memberId())
                        .setGroupInstanceId("a")
                        .setGenerationId(a1.generationId())))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(c.offsetChecks().validateOffsetCommit("g", a1.generationId(), a1.memberId(), "a"))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        AtomicReference<SyncGroupResponseData> synced = new AtomicReference<>();
        c.syncGroup(
                new SyncGroupRequestData()
                        .setGroupId("g")
                        .setMemberId(a1.memberId())
                        .setGroupInstanceId("a")
                        .setGenerationId(a1.generationId())
                        .setProtocolType("consumer")
                        .setProtocolName("range"),
                synced::set);
        assertThat(synced.get().errorCode()).isEqualTo(Errors.FENCED_INSTANCE_ID.code());
        assertThat(c.offsetChecks().validateOffsetCommit("g", a2.generationId(), a2.memberId(), "a"))
                .isEqualTo(Errors.NONE);
        assertThat(c.offsetChecks().validateOffsetCommit("g", a2.generationId(), a2.memberId(), "unknown"))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldFenceAZombieStaticMemberWaitingInARebalance() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 =
                joinAsync(c, join("").setGroupInstanceId("a")).get();
        sync(c, a1);
        AtomicReference<JoinGroupResponseData> b = joinAsync(c, join("").setGroupInstanceId("b"));
        assertThat(c.admin().stateOf("g")).isEqualTo("PreparingRebalance");
        // a's old incarnation rejoins for the rebalance, then a restarts before the rebalance completes.
        AtomicReference<JoinGroupResponseData> zombie =
                joinAsync(c, join(a1.memberId()).setGroupInstanceId("a"));
        assertThat(zombie.get())
                .as("the rebalance is complete: both members joined")
                .isNotNull();
        sync(c, zombie.get());
        sync(c, b.get());
        AtomicReference<JoinGroupResponseData> pendingZombie =
                joinAsync(c, join(a1.memberId(), "range", "other").setGroupInstanceId("a"));
        assertThat(pendingZombie.get()).as("a changed protocols: a rebalance").isNull();

        AtomicReference<JoinGroupResponseData> restarted = joinAsync(c, join("").setGroupInstanceId("a"));

        assertThat(pendingZombie.get().errorCode()).isEqualTo(Errors.FENCED_INSTANCE_ID.code());
        assertThat(restarted.get()).as("joins the rebalance under its new id").isNull();
        JoinGroupResponseData bRejoined =
                joinAsync(c, join(b.get().memberId()).setGroupInstanceId("b")).get();
        assertThat(restarted.get().errorCode()).isZero();
        assertThat(bRejoined.generationId()).isEqualTo(restarted.get().generationId());
        assertThat(c.offsetChecks().activity("g").hasMembers()).isTrue();
    }

    @Test
    void shouldKeepEveryOffsetWhileAConsumerGroupRebalances() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a = newMember(c).get();
        sync(c, a);
        newMember(c);

        assertThat(c.admin().stateOf("g")).isEqualTo("PreparingRebalance");
        assertThat(c.offsetChecks().activity("g").subscribedTopics())
                .as("unknown: no offset may expire")
                .isNull();
    }

    @Test
    void shouldCheckOffsetDeleteAgainstTheActiveMembersSubscriptions() {
        GroupCoordinator c = coordinator(0);
        assertThat(c.offsetChecks().validateOffsetDelete("g").error()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);

        byte[] subscription = Utils.toArray(ConsumerProtocol.serializeSubscription(
                new ConsumerPartitionAssignor.Subscription(List.of("orders", "payments"))));
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(subscription));
        JoinGroupResponseData first =
                joinAsync(c, join("").setProtocols(protocols)).get();
        JoinGroupRequestProtocolCollection again = new JoinGroupRequestProtocolCollection();
        again.add(new JoinGroupRequestProtocol().setName("range").setMetadata(subscription));
        JoinGroupResponseData joined =
                joinAsync(c, join(first.memberId()).setProtocols(again)).get();
        sync(c, joined);

        OffsetDeleteCheck active = c.offsetChecks().validateOffsetDelete("g");
        assertThat(active.error()).isEqualTo(Errors.NONE);
        assertThat(active.subscribedTopics()).containsExactlyInAnyOrder("orders", "payments");

        assertThat(c.leaveGroup("g", joined.memberId(), null)).isEqualTo(Errors.NONE);
        OffsetDeleteCheck empty = c.offsetChecks().validateOffsetDelete("g");
        assertThat(empty.error()).isEqualTo(Errors.NONE);
        assertThat(empty.subscribedTopics()).isEmpty();

        assertThat(c.admin().deleteGroup("g")).isEqualTo(Errors.NONE);
        assertThat(c.offsetChecks().validateOffsetDelete("g").error()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void shouldRefuseOffsetDeleteForActiveGroupOfAnotherProtocolType() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData first =
                joinAsync(c, join("").setProtocolType("connect")).get();
        joinAsync(c, join(first.memberId()).setProtocolType("connect")).get();

        assertThat(c.offsetChecks().validateOffsetDelete("g").error()).isEqualTo(Errors.NON_EMPTY_GROUP);
    }
}
