package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The classic coordinator answers JoinGroup and SyncGroup only after it has released its lock: a callback may write
 * to the network or call back into the coordinator (from its own thread or another) without blocking every group
 * or seeing a transition half done.
 */
@Timeout(60)
class GroupCoordinatorAnswersTest {

    private final FakeGroupTimer timer = new FakeGroupTimer();
    private final OtherThreadProbe probe = new OtherThreadProbe();

    @AfterEach
    void stopOtherThread() {
        probe.close();
    }

    private GroupCoordinator coordinator(int initialDelayMs) {
        return new GroupCoordinator(new GroupConfig(initialDelayMs, 6000, 1_800_000, 4096, 5, 60_000, 1000), timer);
    }

    private static JoinGroupRequestData join(String memberId) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        return new JoinGroupRequestData()
                .setGroupId("g")
                .setMemberId(memberId)
                .setProtocolType("consumer")
                .setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(30_000)
                .setProtocols(protocols);
    }

    private static JoinGroupResponseData joinNow(GroupCoordinator c, JoinGroupRequestData request) {
        AtomicReference<JoinGroupResponseData> answer = new AtomicReference<>();
        c.joinGroup(request, (short) 9, "client", "/127.0.0.1", answer::set);
        return answer.get();
    }

    private static SyncGroupRequestData sync(JoinGroupResponseData joined) {
        return new SyncGroupRequestData()
                .setGroupId("g")
                .setMemberId(joined.memberId())
                .setGenerationId(joined.generationId())
                .setProtocolType("consumer")
                .setProtocolName("range");
    }

    /**
     * Whether another thread gets into the coordinator (a heartbeat) while the calling callback runs: false if the
     * callback runs under the coordinator's lock.
     */
    private boolean otherThreadGetsIn(GroupCoordinator c) {
        return probe.getsIn(() -> c.heartbeat(
                new HeartbeatRequestData().setGroupId("g").setMemberId("nobody").setGenerationId(1)));
    }

    @Test
    void shouldAnswerAJoinThatCompletesTheRebalanceWithoutHoldingTheLock() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData first = joinNow(c, join(""));
        List<Boolean> gotIn = new ArrayList<>();

        c.joinGroup(
                join(first.memberId()), (short) 9, "client", "/127.0.0.1", joined -> gotIn.add(otherThreadGetsIn(c)));

        assertThat(gotIn).containsExactly(true);
    }

    @Test
    void shouldAnswerWaitingSyncsWithoutHoldingTheLock() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData joined = joinNow(c, join(joinNow(c, join("")).memberId()));
        List<Boolean> gotIn = new ArrayList<>();

        c.syncGroup(sync(joined), (SyncGroupResponseData synced) -> gotIn.add(otherThreadGetsIn(c)));

        assertThat(gotIn).containsExactly(true);
    }

    @Test
    void shouldAnswerAJoinCompletedByTheTimerWithoutHoldingTheLock() {
        GroupCoordinator c = coordinator(3000);
        JoinGroupResponseData first = joinNow(c, join(""));
        List<Boolean> gotIn = new ArrayList<>();
        c.joinGroup(
                join(first.memberId()), (short) 9, "client", "/127.0.0.1", joined -> gotIn.add(otherThreadGetsIn(c)));
        assertThat(gotIn).as("held for the initial rebalance delay").isEmpty();

        timer.advance(3000);

        assertThat(gotIn).containsExactly(true);
    }

    /**
     * A callback that calls back into the coordinator on its own thread (as an event loop answering a client may)
     * finds the rebalance complete: here the leader leaves from its JoinGroup answer, and the other member still
     * gets its answer of the completed generation.
     */
    @Test
    void shouldLetACallbackCallBackIntoTheCoordinatorOnItsOwnThread() {
        GroupCoordinator c = coordinator(0);
        JoinGroupResponseData a1 = joinNow(c, join(joinNow(c, join("")).memberId()));
        c.syncGroup(sync(a1), synced -> {});
        AtomicReference<JoinGroupResponseData> b = new AtomicReference<>();
        c.joinGroup(join(joinNow(c, join("")).memberId()), (short) 9, "client", "/127.0.0.1", b::set);
        assertThat(b.get()).as("waits for the leader to rejoin").isNull();
        List<Errors> leftFromCallback = new ArrayList<>();

        c.joinGroup(
                join(a1.memberId()),
                (short) 9,
                "client",
                "/127.0.0.1",
                joined -> leftFromCallback.add(c.leaveGroup("g", joined.memberId(), null)));

        assertThat(leftFromCallback).containsExactly(Errors.NONE);
        assertThat(b.get().errorCode()).isZero();
        assertThat(b.get().generationId()).isEqualTo(2);
        assertThat(c.admin().stateOf("g")).as("a left: b must join again").isEqualTo("PreparingRebalance");
    }
}
