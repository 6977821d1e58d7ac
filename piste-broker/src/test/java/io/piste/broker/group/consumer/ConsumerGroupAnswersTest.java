package io.piste.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.group.ConsumerGroupLog;
import io.piste.broker.group.FakeGroupTimer;
import io.piste.broker.group.OtherThreadProbe;
import io.piste.broker.metadata.LocalController;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ConsumerGroupHeartbeat is answered only once the coordinator's lock is released, whether the group's write
 * completes before the write call returns or later, on the thread that completes it.
 */
@Timeout(60)
class ConsumerGroupAnswersTest {

    @TempDir
    Path dir;

    private final FakeGroupTimer timer = new FakeGroupTimer();
    private final OtherThreadProbe probe = new OtherThreadProbe();
    private LocalController controller;

    @BeforeEach
    void setUp() throws Exception {
        controller = LocalController.open(dir.resolve("metadata"));
        controller.createTopic("t", 2, Map.of());
    }

    @AfterEach
    void tearDown() throws Exception {
        probe.close();
        controller.close();
    }

    private ConsumerGroupCoordinator coordinator(ConsumerGroupLog log) {
        return new ConsumerGroupCoordinator(
                ConsumerGroupConfig.KAFKA_DEFAULTS, timer, controller::image, groupId -> true, log);
    }

    private static ConsumerGroupHeartbeatRequestData join() {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g")
                .setMemberId("m")
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of());
    }

    @Test
    void shouldAnswerAHeartbeatWhoseWriteCompletesAtOnceWithoutHoldingTheLock() {
        ConsumerGroupCoordinator c = coordinator(ConsumerGroupLog.NONE);
        List<Boolean> gotIn = new ArrayList<>();

        c.heartbeat(
                join(),
                (short) 1,
                "client",
                "/127.0.0.1",
                answered -> gotIn.add(probe.getsIn(() -> c.isConsumerGroup("g"))));

        assertThat(gotIn).containsExactly(true);
    }

    @Test
    void shouldAnswerAHeartbeatWhoseWriteCompletesLaterWithoutHoldingTheLock() {
        List<Consumer<Errors>> writes = new ArrayList<>();
        ConsumerGroupCoordinator c = coordinator((groupId, snapshot, done) -> writes.add(done));
        List<ConsumerGroupHeartbeatResponseData> answers = new ArrayList<>();
        List<Boolean> gotIn = new ArrayList<>();
        c.heartbeat(join(), (short) 1, "client", "/127.0.0.1", answered -> {
            answers.add(answered);
            gotIn.add(probe.getsIn(() -> c.isConsumerGroup("g")));
        });
        assertThat(answers).as("waits for the group's write").isEmpty();

        writes.forEach(done -> done.accept(Errors.NONE));

        assertThat(gotIn).containsExactly(true);
        assertThat(answers.get(0).errorCode()).isZero();
        assertThat(answers.get(0).memberEpoch()).isEqualTo(1);
    }
}
