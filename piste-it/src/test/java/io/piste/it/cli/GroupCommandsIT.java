package io.piste.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.PisteCli;
import io.piste.it.support.Produce;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code piste group} against a running Piste broker: lag per partition is the log end offset minus what the group
 * committed (through {@code piste consume --group}), and a reset moves the committed offsets only with --execute;
 * the lag status (STOPPED, STALLED, OK) is judged over a window of samples from real groups.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupCommandsIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides("group.initial.rebalance.delay.ms", "0");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] PRODUCED = {10, 7, 4};
    private static final int[] CONSUMED = {4, 7, 0};

    private static PisteCli cli() {
        return PisteCli.against(BROKER.bootstrapServers());
    }

    @Test
    void shouldDescribeLagThenResetAndDeleteAGroup() throws Exception {
        final String topic = "cli-lag";
        final String group = "cli-group";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 3);
        for (int p = 0; p < 3; p++) {
            Produce.toPartition(BROKER.bootstrapServers(), topic, p, 0, PRODUCED[p]);
        }
        for (int p = 0; p < 3; p++) {
            if (CONSUMED[p] > 0) {
                assertThat(cli().run(
                                        "consume",
                                        topic,
                                        "--group",
                                        group,
                                        "--partition",
                                        String.valueOf(p),
                                        "--offset",
                                        "0",
                                        "--max-messages",
                                        String.valueOf(CONSUMED[p]))
                                .assertSuccess()
                                .stdoutLines())
                        .hasSize(CONSUMED[p]);
            }
        }
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertThat(committed.get(new TopicPartition(topic, 0)).offset()).isEqualTo(4);
            assertThat(committed.get(new TopicPartition(topic, 1)).offset()).isEqualTo(7);
            assertThat(committed).doesNotContainKey(new TopicPartition(topic, 2));
        }

        assertThat(cli().run("group", "describe", group, "--status-window", "1")
                        .assertSuccess()
                        .stdoutLines())
                .containsExactly(
                        "Group cli-group: state Empty, type Classic, 0 member(s), coordinator 1",
                        "STATUS STOPPED: no members while lag is 6",
                        "GROUP      TOPIC    PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST  CLIENT-ID",
                        "cli-group  cli-lag  0          4               10              6    -            -     -",
                        "cli-group  cli-lag  1          7               7               0    -            -     -");
        final JsonNode described =
                JSON.readTree(cli().run("group", "describe", group, "-o", "json", "--status-window", "0")
                        .assertSuccess()
                        .stdout());
        assertThat(described.get("status").asText()).isEqualTo("STOPPED");
        assertThat(described.get("statusSamples").asInt()).isEqualTo(1);
        assertThat(described.get("partitions")).hasSize(2);
        for (final JsonNode row : described.get("partitions")) {
            final int p = row.get("partition").asInt();
            assertThat(row.get("lag").asLong()).isEqualTo(PRODUCED[p] - CONSUMED[p]);
        }
        assertThat(cli().run("group", "list").assertSuccess().stdoutLines()).contains("cli-group  Classic  Empty");

        // A dry run prints the new offsets and changes nothing.
        final PisteCli.Result dryRun = cli().run("group", "reset", group, "--topic", topic, "--to-earliest")
                .assertSuccess();
        assertThat(dryRun.stdoutLines())
                .containsExactly(
                        "GROUP      TOPIC    PARTITION  CURRENT-OFFSET  NEW-OFFSET",
                        "cli-group  cli-lag  0          4               0",
                        "cli-group  cli-lag  1          7               0",
                        "cli-group  cli-lag  2          -               0");
        assertThat(dryRun.stderr()).isEqualTo("Dry run: nothing changed. Add --execute to commit these offsets.\n");
        assertThat(lagOf(group)).containsExactly(6L, 0L);

        assertThat(cli().run("group", "reset", group, "--topic", topic + ":0,2", "--to-offset", "2", "--execute")
                        .assertSuccess()
                        .stdoutLines())
                .containsExactly(
                        "GROUP      TOPIC    PARTITION  CURRENT-OFFSET  NEW-OFFSET",
                        "cli-group  cli-lag  0          4               2",
                        "cli-group  cli-lag  2          -               2",
                        "Reset the offsets of 2 partition(s) of group cli-group.");
        assertThat(lagOf(group)).containsExactly(8L, 0L, 2L);
        assertThat(cli().run("group", "reset", group, "--all-topics", "--to-latest", "--execute")
                        .assertSuccess()
                        .stdoutLines())
                .contains("cli-group  cli-lag  0          2               10");
        assertThat(lagOf(group)).containsExactly(0L, 0L, 0L);

        assertThat(cli().run("group", "delete", group).assertSuccess().stdout())
                .isEqualTo("Deleted consumer group cli-group.\n");
        final PisteCli.Result gone = cli().run("group", "describe", group);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.stderr()).isEqualTo("Error: unknown consumer group 'cli-group'\n");
    }

    @Test
    void shouldShowTheMembersAndRefuseToResetAnActiveGroup() throws Exception {
        final String topic = "cli-active";
        final String group = "cli-active-group";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 2);
        try (KafkaConsumer<String, String> member = Clients.consumer(
                BROKER.bootstrapServers(),
                Clients.props(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.CLIENT_ID_CONFIG, "cli-member"))) {
            member.subscribe(List.of(topic));
            Consume.untilAssigned(member);
            member.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)));

            final List<String> lines = cli().run("group", "describe", group, "--status-window", "0")
                    .assertSuccess()
                    .stdoutLines();
            assertThat(lines.get(0))
                    .isEqualTo("Group cli-active-group: state Stable, type Classic, 1 member(s), coordinator 1");
            assertThat(lines.get(1)).isEqualTo("STATUS OK: no lag");
            assertThat(lines).hasSize(5);
            for (int p = 0; p < 2; p++) {
                assertThat(lines.get(3 + p))
                        .matches("cli-active-group\\s+cli-active\\s+" + p + "\\s+\\S+\\s+0\\s+\\S+\\s+"
                                + "cli-member-\\S+\\s+/127\\.0\\.0\\.1\\s+cli-member");
            }

            final PisteCli.Result refused =
                    cli().run("group", "reset", group, "--all-topics", "--to-earliest", "--execute");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.stderr())
                    .isEqualTo("Error: consumer group 'cli-active-group' has 1 active member(s) (state Stable);"
                            + " stop its consumers before --execute\n");
            final PisteCli.Result notEmpty = cli().run("group", "delete", group);
            assertThat(notEmpty.exitCode()).isEqualTo(1);
            assertThat(notEmpty.stderrLines()).hasSize(1);
        }
    }

    @Test
    void shouldJoinTheGroupCommitWhatItPrintedAndLeave() throws Exception {
        final String topic = "cli-subscribe";
        final String group = "cli-subscribe-group";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 3);
        for (int p = 0; p < 3; p++) {
            Produce.toPartition(BROKER.bootstrapServers(), topic, p, 0, 5);
        }
        final PisteCli.Result consumed = cli().run(
                        "consume",
                        topic,
                        "--group",
                        group,
                        "--from-beginning",
                        "--max-messages",
                        "15",
                        "--timeout-ms",
                        "30000")
                .assertSuccess();
        assertThat(consumed.stdoutLines()).hasSize(15);
        assertThat(consumed.stderr()).isEqualTo("Processed a total of 15 messages\n");

        final JsonNode described =
                JSON.readTree(cli().run("group", "describe", group, "-o", "json", "--status-window", "1")
                        .assertSuccess()
                        .stdout());
        assertThat(described.get("state").asText()).isEqualTo("Empty"); // the consumer left when it closed
        assertThat(described.get("status").asText()).isEqualTo("OK"); // consumed and committed everything
        assertThat(described.get("statusReason").asText()).isEqualTo("no lag");
        assertThat(described.get("statusSamples").asInt()).isEqualTo(3);
        assertThat(described.get("partitions")).hasSize(3);
        for (final JsonNode row : described.get("partitions")) {
            assertThat(row.get("currentOffset").asLong()).isEqualTo(5);
            assertThat(row.get("lag").asLong()).isZero();
        }
    }

    @Test
    void shouldTellAStalledMemberFromAStoppedGroup() throws Exception {
        final String topic = "cli-stalled";
        final String group = "cli-stalled-group";
        final TopicPartition partition = new TopicPartition(topic, 0);
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        Produce.toPartition(BROKER.bootstrapServers(), topic, 0, 0, 10);

        // A live member that polls and reads everything but never commits past offset 2.
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch committed = new CountDownLatch(1);
        final ExecutorService memberThread = Executors.newSingleThreadExecutor();
        try {
            final Future<?> member = memberThread.submit(() -> {
                try (KafkaConsumer<String, String> consumer = Clients.consumer(
                        BROKER.bootstrapServers(),
                        Clients.props(
                                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.CLIENT_ID_CONFIG, "stuck"))) {
                    consumer.subscribe(List.of(topic));
                    Consume.untilAssigned(consumer);
                    consumer.commitSync(Map.of(partition, new OffsetAndMetadata(2)));
                    committed.countDown();
                    final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(90));
                    while (!stop.get() && !deadline.passed()) {
                        consumer.poll(Duration.ofMillis(100));
                    }
                }
                return null;
            });
            assertThat(committed.await(60, TimeUnit.SECONDS)).isTrue();

            final List<String> stalled = cli().run("group", "describe", group, "--status-window", "1")
                    .assertSuccess()
                    .stdoutLines();
            assertThat(stalled.get(0)).startsWith("Group cli-stalled-group: state Stable, type Classic, 1 member(s)");
            assertThat(stalled.get(1))
                    .isEqualTo("STATUS STALLED: committed offsets did not move for 1 s while lag is 8");
            final JsonNode json =
                    JSON.readTree(cli().run("group", "describe", group, "-o", "json", "--status-window", "1")
                            .assertSuccess()
                            .stdout());
            assertThat(json.get("status").asText()).isEqualTo("STALLED");
            // One sample sees the lag and the member, not whether it moves.
            assertThat(cli().run("group", "describe", group, "--status-window", "0")
                            .assertSuccess()
                            .stdoutLines()
                            .get(1))
                    .startsWith("STATUS LAGGING: lag is 8 with 1 member(s)");

            stop.set(true);
            member.get(30, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            memberThread.shutdownNow();
            assertThat(memberThread.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        // The member left: the same lag with nobody reading.
        assertThat(cli().run("group", "describe", group, "--status-window", "1")
                        .assertSuccess()
                        .stdoutLines()
                        .get(1))
                .isEqualTo("STATUS STOPPED: no members while lag is 8");
    }

    /** The lag column of {@code piste group describe --output json}, by partition. */
    private static List<Long> lagOf(final String group) throws Exception {
        final JsonNode described =
                JSON.readTree(cli().run("group", "describe", group, "-o", "json", "--status-window", "0")
                        .assertSuccess()
                        .stdout());
        final List<Long> lags = new java.util.ArrayList<>();
        for (final JsonNode row : described.get("partitions")) {
            lags.add(row.get("lag").asLong());
        }
        return lags;
    }
}
