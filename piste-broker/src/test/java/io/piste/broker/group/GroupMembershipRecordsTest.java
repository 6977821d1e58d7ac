package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Classic groups' membership written when a rebalance completes, and brought back after a restart. */
class GroupMembershipRecordsTest {

    private static final int SESSION_MS = 10_000;

    /** Holds each write until the test completes it, and keeps the last record of each group. */
    private static final class RecordingLog implements GroupMetadataLog {
        final Map<String, GroupRecord> last = new LinkedHashMap<>();
        final List<Consumer<Errors>> pending = new ArrayList<>();

        @Override
        public void writeGroup(String groupId, GroupRecord group, Consumer<Errors> done) {
            last.put(groupId, group);
            pending.add(done);
        }

        void completeAll(Errors error) {
            while (!pending.isEmpty()) {
                pending.remove(0).accept(error);
            }
        }
    }

    private final FakeGroupTimer timer = new FakeGroupTimer();
    private final RecordingLog log = new RecordingLog();

    private GroupCoordinator coordinator() {
        return new GroupCoordinator(new GroupConfig(0, 6000, 1_800_000, 4096, 5, 60_000, 1000), timer, log);
    }

    private static JoinGroupRequestData join(String memberId) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {42}));
        return new JoinGroupRequestData()
                .setGroupId("g")
                .setMemberId(memberId)
                .setProtocolType("consumer")
                .setGroupInstanceId(memberId.isEmpty() ? "static-1" : null)
                .setSessionTimeoutMs(SESSION_MS)
                .setRebalanceTimeoutMs(30_000)
                .setProtocols(protocols);
    }

    private static JoinGroupResponseData joinOne(GroupCoordinator c) {
        AtomicReference<JoinGroupResponseData> answer = new AtomicReference<>();
        c.joinGroup(join(""), (short) 9, "client", "/127.0.0.1", answer::set);
        return answer.get();
    }

    private static AtomicReference<SyncGroupResponseData> leaderSync(GroupCoordinator c, JoinGroupResponseData joined) {
        AtomicReference<SyncGroupResponseData> answer = new AtomicReference<>();
        c.syncGroup(
                new SyncGroupRequestData()
                        .setGroupId("g")
                        .setMemberId(joined.memberId())
                        .setGenerationId(joined.generationId())
                        .setProtocolType("consumer")
                        .setProtocolName("range")
                        .setAssignments(List.of(new SyncGroupRequestAssignment()
                                .setMemberId(joined.memberId())
                                .setAssignment(new byte[] {7}))),
                answer::set);
        return answer;
    }

    @Test
    void shouldAnswerTheLeadersSyncOnlyOnceTheMembershipIsDurable() {
        GroupCoordinator c = coordinator();
        JoinGroupResponseData joined = joinOne(c);
        AtomicReference<SyncGroupResponseData> synced = leaderSync(c, joined);

        assertThat(synced.get()).as("waits for the write").isNull();
        assertThat(c.admin().stateOf("g")).isEqualTo("CompletingRebalance");
        GroupRecord written = log.last.get("g");
        assertThat(written.generationId()).isEqualTo(1);
        assertThat(written.members()).singleElement().satisfies(m -> {
            assertThat(m.memberId()).isEqualTo(joined.memberId());
            assertThat(m.groupInstanceId()).isEqualTo("static-1");
            assertThat(m.subscription()).containsExactly(42);
            assertThat(m.assignment()).containsExactly(7);
        });

        log.completeAll(Errors.NONE);

        assertThat(synced.get().assignment()).containsExactly(7);
        assertThat(c.admin().stateOf("g")).isEqualTo("Stable");
    }

    @Test
    void shouldRebalanceWhenTheMembershipCannotBeWritten() {
        GroupCoordinator c = coordinator();
        JoinGroupResponseData joined = joinOne(c);
        AtomicReference<SyncGroupResponseData> synced = leaderSync(c, joined);

        log.completeAll(Errors.COORDINATOR_NOT_AVAILABLE);

        assertThat(synced.get().errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(c.admin().stateOf("g")).isEqualTo("PreparingRebalance");
    }

    @Test
    void shouldBringBackAStableGroupWhoseMembersCarryOnAfterARestart() {
        GroupCoordinator before = coordinator();
        JoinGroupResponseData joined = joinOne(before);
        leaderSync(before, joined);
        log.completeAll(Errors.NONE);
        GroupRecord stored = GroupRecordCodec.readValue(ByteBuffer.wrap(GroupRecordCodec.value(log.last.get("g"))));

        // Restarted: a new clock and log, so what is checked below is the restored coordinator's own doing.
        FakeGroupTimer afterTimer = new FakeGroupTimer();
        RecordingLog afterLog = new RecordingLog();
        GroupCoordinator after =
                new GroupCoordinator(new GroupConfig(0, 6000, 1_800_000, 4096, 5, 60_000, 1000), afterTimer, afterLog);
        after.restore("g", stored);

        assertThat(after.admin().stateOf("g")).isEqualTo("Stable");
        assertThat(after.heartbeat(new HeartbeatRequestData()
                        .setGroupId("g")
                        .setMemberId(joined.memberId())
                        .setGroupInstanceId("static-1")
                        .setGenerationId(1)))
                .isEqualTo(Errors.NONE);
        AtomicReference<SyncGroupResponseData> resynced = new AtomicReference<>();
        after.syncGroup(
                new SyncGroupRequestData()
                        .setGroupId("g")
                        .setMemberId(joined.memberId())
                        .setGenerationId(1),
                resynced::set);
        assertThat(resynced.get().assignment()).containsExactly(7);
        assertThat(after.offsetChecks().validateOffsetCommit("g", 1, joined.memberId(), "static-1"))
                .isEqualTo(Errors.NONE);

        // A member that does not come back within its session timeout is removed as usual.
        afterTimer.advance(SESSION_MS + 1);
        assertThat(after.admin().stateOf("g")).isEqualTo("Empty");
        assertThat(afterLog.last.get("g").members()).isEmpty();
        assertThat(afterLog.last.get("g").generationId()).isEqualTo(2);
    }

    @Test
    void shouldAnswerAReturningStaticMemberOnceDurableAndPutTheOldOneBackIfTheWriteFails() {
        GroupCoordinator c = coordinator();
        JoinGroupResponseData first = joinOne(c);
        leaderSync(c, first);
        log.completeAll(Errors.NONE);

        JoinGroupResponseData[] replaced = new JoinGroupResponseData[1];
        c.joinGroup(join(""), (short) 9, "client", "/127.0.0.1", r -> replaced[0] = r);
        assertThat(replaced[0]).as("waits for the new member id to be durable").isNull();
        log.completeAll(Errors.COORDINATOR_NOT_AVAILABLE);

        assertThat(replaced[0].errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(c.heartbeat(new HeartbeatRequestData()
                        .setGroupId("g")
                        .setMemberId(first.memberId())
                        .setGroupInstanceId("static-1")
                        .setGenerationId(1)))
                .as("the old incarnation is back")
                .isEqualTo(Errors.NONE);

        c.joinGroup(join(""), (short) 9, "client", "/127.0.0.1", r -> replaced[0] = r);
        log.completeAll(Errors.NONE);
        assertThat(replaced[0].errorCode()).isZero();
        assertThat(c.heartbeat(new HeartbeatRequestData()
                        .setGroupId("g")
                        .setMemberId(first.memberId())
                        .setGroupInstanceId("static-1")
                        .setGenerationId(1)))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
    }

    @Test
    void shouldBringBackAnEmptyGroupWithTheTimeItBecameEmpty() {
        GroupCoordinator c = coordinator();
        c.restore("g", new GroupRecord("consumer", 4, null, null, 1234, List.of()));

        assertThat(c.admin().stateOf("g")).isEqualTo("Empty");
        assertThat(c.offsetChecks().activity("g").emptySinceMs()).isEqualTo(1234);
    }

    @Test
    void shouldWriteATombstoneWhenAGroupIsDeleted() {
        GroupCoordinator c = coordinator();
        c.restore("g", new GroupRecord("consumer", 4, null, null, 1234, List.of()));

        assertThat(c.admin().deleteGroup("g")).isEqualTo(Errors.NONE);

        assertThat(log.last).containsEntry("g", null);
    }
}
