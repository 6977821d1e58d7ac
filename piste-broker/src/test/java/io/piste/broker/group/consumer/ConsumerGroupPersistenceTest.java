package io.piste.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.group.ConsumerGroupLog;
import io.piste.broker.group.FakeGroupTimer;
import io.piste.broker.metadata.LocalController;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumer groups written when they change, answered once written, and brought back after a restart. */
class ConsumerGroupPersistenceTest {

    /** Holds each write until the test completes it, and keeps the last snapshot of each group. */
    private static final class RecordingLog implements ConsumerGroupLog {
        final Map<String, byte[]> last = new LinkedHashMap<>();
        final List<Consumer<Errors>> pending = new ArrayList<>();
        int writes;

        @Override
        public void writeConsumerGroup(String groupId, byte[] snapshot, Consumer<Errors> done) {
            last.put(groupId, snapshot);
            pending.add(done);
            writes++;
        }

        void completeAll(Errors error) {
            while (!pending.isEmpty()) {
                pending.remove(0).accept(error);
            }
        }
    }

    @TempDir
    Path dir;

    private LocalController controller;
    private Uuid topicId;
    private final RecordingLog log = new RecordingLog();

    @BeforeEach
    void setUp() throws Exception {
        controller = LocalController.open(dir.resolve("metadata"));
        topicId = controller.createTopic("t", 4, Map.of()).topicId();
    }

    @AfterEach
    void tearDown() throws Exception {
        controller.close();
    }

    private ConsumerGroupCoordinator coordinator(FakeGroupTimer timer, ConsumerGroupLog store) {
        return new ConsumerGroupCoordinator(
                ConsumerGroupConfig.KAFKA_DEFAULTS, timer, controller::image, groupId -> true, store);
    }

    private static ConsumerGroupHeartbeatRequestData join(String memberId) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g")
                .setMemberId(memberId)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of());
    }

    private ConsumerGroupHeartbeatRequestData owning(String memberId, int epoch, Set<Integer> partitions) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g")
                .setMemberId(memberId)
                .setMemberEpoch(epoch)
                .setTopicPartitions(List.of(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                        .setTopicId(topicId)
                        .setPartitions(new ArrayList<>(partitions))));
    }

    private static AtomicReference<ConsumerGroupHeartbeatResponseData> send(
            ConsumerGroupCoordinator c, ConsumerGroupHeartbeatRequestData r) {
        AtomicReference<ConsumerGroupHeartbeatResponseData> answer = new AtomicReference<>();
        c.heartbeat(r, (short) 1, "client", "/127.0.0.1", answer::set);
        return answer;
    }

    private static Set<Integer> partitions(ConsumerGroupHeartbeatResponseData response) {
        Set<Integer> all = new HashSet<>();
        response.assignment().topicPartitions().forEach(tp -> all.addAll(tp.partitions()));
        return all;
    }

    /** 30,000 bytes of 0xFF as a request decodes them: 30,000 U+FFFD, 90,000 bytes of UTF-8. */
    private static String malformed() {
        byte[] bytes = new byte[30_000];
        java.util.Arrays.fill(bytes, (byte) 0xFF);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * A heartbeat whose strings would not fit the group's snapshot is refused before it touches the group: it
     * used to join, then fail the snapshot's encoding, and every later heartbeat of the group with it.
     */
    @Test
    void shouldRefuseAHeartbeatWithAStringTooLongForTheSnapshotAndKeepTheGroupUsable() {
        ConsumerGroupCoordinator c = coordinator(new FakeGroupTimer(), log);
        AtomicReference<ConsumerGroupHeartbeatResponseData> joined = send(c, join("a"));
        log.completeAll(Errors.NONE);
        Set<Integer> owned = partitions(joined.get());

        AtomicReference<ConsumerGroupHeartbeatResponseData> byClientId = new AtomicReference<>();
        c.heartbeat(join("b"), (short) 1, malformed(), "/127.0.0.1", byClientId::set);
        AtomicReference<ConsumerGroupHeartbeatResponseData> byRack =
                send(c, join("c").setRackId(malformed()));
        AtomicReference<ConsumerGroupHeartbeatResponseData> byTopic =
                send(c, join("d").setSubscribedTopicNames(List.of("t", malformed())));
        log.completeAll(Errors.NONE);

        assertThat(Errors.forCode(byClientId.get().errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(byClientId.get().errorMessage()).startsWith("ClientId is longer than 32767 bytes");
        assertThat(byRack.get().errorMessage()).startsWith("RackId is longer");
        assertThat(byTopic.get().errorMessage()).startsWith("SubscribedTopicNames is longer");
        AtomicReference<ConsumerGroupHeartbeatResponseData> again = send(c, owning("a", 1, owned));
        log.completeAll(Errors.NONE);
        assertThat(Errors.forCode(again.get().errorCode())).isEqualTo(Errors.NONE);
        assertThat(again.get().memberEpoch()).as("no member joined").isEqualTo(1);
    }

    @Test
    void shouldAnswerOnceTheChangeIsWrittenAndNotWriteAnUnchangedGroupAgain() {
        ConsumerGroupCoordinator c = coordinator(new FakeGroupTimer(), log);
        AtomicReference<ConsumerGroupHeartbeatResponseData> joined = send(c, join("a"));
        assertThat(joined.get()).as("waits for the write").isNull();
        log.completeAll(Errors.NONE);
        assertThat(joined.get().memberEpoch()).isEqualTo(1);
        Set<Integer> owned = partitions(joined.get());
        int writes = log.writes;

        AtomicReference<ConsumerGroupHeartbeatResponseData> again = send(c, owning("a", 1, owned));

        assertThat(again.get()).as("nothing changed: answered at once").isNotNull();
        assertThat(log.writes).isEqualTo(writes);
    }

    /**
     * A join sent again (the client timed out waiting for the first answer) changes nothing, so nothing new is
     * written; but its answer carries the assignment of the first one's write, and must wait until that is durable.
     */
    @Test
    void shouldNotAnswerAnUnchangedHeartbeatBeforeTheWriteOfTheStateItCarriesIsDurable() {
        ConsumerGroupCoordinator c = coordinator(new FakeGroupTimer(), log);
        AtomicReference<ConsumerGroupHeartbeatResponseData> joined = send(c, join("a"));
        AtomicReference<ConsumerGroupHeartbeatResponseData> again = send(c, join("a"));

        assertThat(log.writes).as("the group did not change again").isEqualTo(1);
        assertThat(again.get())
                .as("the assignment it carries is not durable yet")
                .isNull();
        log.completeAll(Errors.NONE);
        assertThat(joined.get().memberEpoch()).isEqualTo(1);
        assertThat(again.get().memberEpoch()).isEqualTo(1);
        assertThat(partitions(again.get())).hasSize(4);
    }

    @Test
    void shouldFailAnUnchangedHeartbeatWaitingOnAFailedWriteAndWriteAgainAtTheNextOne() {
        ConsumerGroupCoordinator c = coordinator(new FakeGroupTimer(), log);
        send(c, join("a"));
        AtomicReference<ConsumerGroupHeartbeatResponseData> again = send(c, join("a"));

        log.completeAll(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(again.get().errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());

        AtomicReference<ConsumerGroupHeartbeatResponseData> retried = send(c, join("a"));
        assertThat(log.writes)
                .as("the state that was not written is written again")
                .isEqualTo(2);
        assertThat(retried.get()).isNull();
        log.completeAll(Errors.NONE);
        assertThat(retried.get().errorCode()).isZero();
        assertThat(partitions(retried.get())).hasSize(4);
    }

    @Test
    void shouldAnswerCoordinatorNotAvailableWhenTheWriteFails() {
        ConsumerGroupCoordinator c = coordinator(new FakeGroupTimer(), log);
        AtomicReference<ConsumerGroupHeartbeatResponseData> joined = send(c, join("a"));

        log.completeAll(Errors.COORDINATOR_NOT_AVAILABLE);

        assertThat(joined.get().errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
    }

    /** KIP-1251: the epoch at which each partition was assigned is kept, so commits behave the same after it. */
    @Test
    void shouldKeepTheAssignmentEpochsAcrossARestart() {
        ConsumerGroupCoordinator before = coordinator(new FakeGroupTimer(), log);
        send(before, join("a"));
        send(before, join("b"));
        AtomicReference<ConsumerGroupHeartbeatResponseData> aRevoking =
                send(before, owning("a", 1, Set.of(0, 1, 2, 3)));
        log.completeAll(Errors.NONE);
        Set<Integer> aKeeps = partitions(aRevoking.get());
        send(before, owning("a", 1, aKeeps));
        AtomicReference<ConsumerGroupHeartbeatResponseData> bGets = send(before, owning("b", 2, Set.of()));
        log.completeAll(Errors.NONE);
        Set<Integer> bOwns = partitions(bGets.get());
        send(before, owning("b", 2, bOwns));
        log.completeAll(Errors.NONE);
        Map<Uuid, Set<Integer>> aOwnsSinceOne = Map.of(topicId, aKeeps);
        assertThat(before.validateOffsetCommit("g", "a", 1, (short) 9, aOwnsSinceOne))
                .isEqualTo(Errors.NONE);

        ConsumerGroupCoordinator after = coordinator(new FakeGroupTimer(), new RecordingLog());
        after.restore("g", log.last.get("g"));

        assertThat(after.validateOffsetCommit("g", "a", 1, (short) 9, aOwnsSinceOne))
                .isEqualTo(Errors.NONE);
        assertThat(after.validateOffsetCommit("g", "b", 1, (short) 9, Map.of(topicId, bOwns)))
                .as("b was assigned its partitions at epoch 2")
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);
    }

    /** A snapshot written before assignment epochs existed (version 1): every partition counts as assigned at the
     * member's epoch, as Kafka reads an assignment record without them. */
    @Test
    void shouldReadASnapshotOfVersionOne() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(1);
            out.writeInt(3); // group epoch
            out.writeInt(3); // assignment epoch
            out.writeUTF("uniform");
            out.writeLong(-1); // empty since
            out.writeInt(1); // target: member a owns partitions 0 and 1
            out.writeUTF("a");
            writePartitions(out, 0, 1);
            out.writeInt(1); // subscribed topics
            out.writeUTF("t");
            out.writeLong(topicId.getMostSignificantBits());
            out.writeLong(topicId.getLeastSignificantBits());
            out.writeInt(4);
            out.writeInt(1); // members
            out.writeUTF("a");
            out.writeBoolean(false); // instance id
            out.writeBoolean(false); // rack id
            out.writeBoolean(true);
            out.writeUTF("client");
            out.writeBoolean(true);
            out.writeUTF("/127.0.0.1");
            out.writeInt(30_000);
            out.writeInt(1);
            out.writeUTF("t");
            out.writeBoolean(false); // regex
            out.writeBoolean(false); // server assignor
            out.writeBoolean(false); // left statically
            out.writeInt(3);
            out.writeInt(2);
            out.writeUTF("STABLE");
            writePartitions(out, 0, 1);
            writePartitions(out);
        }
        ConsumerGroupCoordinator c = coordinator(new FakeGroupTimer(), log);

        c.restore("g", bytes.toByteArray());

        assertThat(c.describe("g").members())
                .singleElement()
                .satisfies(m -> assertThat(m.memberEpoch()).isEqualTo(3));
        assertThat(c.validateOffsetCommit("g", "a", 3, (short) 9, Map.of(topicId, Set.of(0, 1))))
                .isEqualTo(Errors.NONE);
        assertThat(c.validateOffsetCommit("g", "a", 2, (short) 9, Map.of(topicId, Set.of(0))))
                .as("assigned at the member's epoch")
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);
        AtomicReference<ConsumerGroupHeartbeatResponseData> next = send(c, owning("a", 3, Set.of(0, 1)));
        assertThat(log.writes).as("the group is written again, in version 2").isEqualTo(1);
        log.completeAll(Errors.NONE);
        assertThat(next.get().errorCode()).isZero();
        assertThat(next.get().memberEpoch()).isEqualTo(3);
        assertThat(next.get().assignment()).as("nothing moves").isNull();
    }

    private void writePartitions(DataOutputStream out, int... partitions) throws IOException {
        if (partitions.length == 0) {
            out.writeInt(0);
            return;
        }
        out.writeInt(1);
        out.writeLong(topicId.getMostSignificantBits());
        out.writeLong(topicId.getLeastSignificantBits());
        out.writeInt(partitions.length);
        for (int p : partitions) {
            out.writeInt(p);
        }
    }

    @Test
    void shouldMoveToANewEpochWhenASubscribedTopicGrewWhileTheBrokerWasDown() throws Exception {
        ConsumerGroupCoordinator before = coordinator(new FakeGroupTimer(), log);
        AtomicReference<ConsumerGroupHeartbeatResponseData> joined = send(before, join("a"));
        log.completeAll(Errors.NONE);
        assertThat(partitions(joined.get())).hasSize(4);

        controller.createPartitions("t", 6, false);
        RecordingLog afterLog = new RecordingLog();
        ConsumerGroupCoordinator after = coordinator(new FakeGroupTimer(), afterLog);
        after.restore("g", log.last.get("g"));
        AtomicReference<ConsumerGroupHeartbeatResponseData> next = send(after, owning("a", 1, Set.of(0, 1, 2, 3)));
        assertThat(afterLog.writes).as("the new epoch is written").isEqualTo(1);
        afterLog.completeAll(Errors.NONE);

        assertThat(next.get().memberEpoch()).isEqualTo(2);
        assertThat(partitions(next.get())).hasSize(6);
    }

    @Test
    void shouldBringMembersBackWithTheirEpochsAndAssignmentsAfterARestart() {
        ConsumerGroupCoordinator before = coordinator(new FakeGroupTimer(), log);
        send(before, join("a"));
        log.completeAll(Errors.NONE);
        send(before, join("b"));
        log.completeAll(Errors.NONE);
        // a revokes what the target gave b; both reach the group's epoch.
        AtomicReference<ConsumerGroupHeartbeatResponseData> aRevoking =
                send(before, owning("a", 1, Set.of(0, 1, 2, 3)));
        log.completeAll(Errors.NONE);
        Set<Integer> aKeeps = partitions(aRevoking.get());
        AtomicReference<ConsumerGroupHeartbeatResponseData> aDone = send(before, owning("a", 1, aKeeps));
        log.completeAll(Errors.NONE);
        AtomicReference<ConsumerGroupHeartbeatResponseData> bGets = send(before, owning("b", 2, Set.of()));
        log.completeAll(Errors.NONE);
        Set<Integer> bOwns = partitions(bGets.get());
        send(before, owning("b", 2, bOwns));
        log.completeAll(Errors.NONE);
        assertThat(aDone.get().memberEpoch()).isEqualTo(2);

        FakeGroupTimer afterTimer = new FakeGroupTimer();
        RecordingLog afterLog = new RecordingLog();
        ConsumerGroupCoordinator after = coordinator(afterTimer, afterLog);
        after.restore("g", log.last.get("g"));

        AtomicReference<ConsumerGroupHeartbeatResponseData> aAfter = send(after, owning("a", 2, aKeeps));
        AtomicReference<ConsumerGroupHeartbeatResponseData> bAfter = send(after, owning("b", 2, bOwns));
        assertThat(aAfter.get().errorCode()).isZero();
        assertThat(bAfter.get().errorCode()).isZero();
        assertThat(aAfter.get().memberEpoch()).isEqualTo(2);
        assertThat(bAfter.get().memberEpoch()).isEqualTo(2);
        assertThat(aAfter.get().assignment()).as("nothing moves").isNull();
        assertThat(bAfter.get().assignment()).isNull();
        assertThat(afterLog.writes).as("the restored state is the written one").isZero();
        assertThat(after.describe("g").groupState()).isEqualTo("Stable");

        // A member that does not come back within its session timeout is removed, and that is written.
        afterTimer.advance(ConsumerGroupConfig.KAFKA_DEFAULTS.sessionTimeoutMs() + 1);
        assertThat(after.describe("g").members()).isEmpty();
        assertThat(afterLog.writes).isPositive();
    }
}
