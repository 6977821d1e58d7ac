package io.piste.it.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Exec;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.Produce;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's {@code kafka-consumer-groups} ({@code ConsumerGroupCommand} of kafka-tools 4.4, in a child JVM) on a
 * Piste group: lag as produced minus committed, every kind of offset reset on an inactive group (and none on an
 * active one), a consumer resuming at the reset offsets, {@code --delete-offsets} and {@code --delete}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConsumerGroupCommandIT {
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 30;
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides(
            "group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "5");

    private static final KafkaTool GROUPS = KafkaTool.consumerGroupCommand(BROKER::bootstrapServers);

    @Test
    void shouldDescribeLagResetOffsetsEveryWayAndDeleteTheGroup() throws Exception {
        final String topic = "cgc-topic";
        final String group = "cgc-g";
        Clients.createTopic(BROKER.bootstrapServers(), topic, PARTITIONS);
        // Record i of each partition has timestamp base + i seconds.
        final long base = (System.currentTimeMillis() - 600_000) / 1000 * 1000;
        produce(topic, base);
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(topic, p));
        }

        try (KafkaConsumer<String, String> member = Clients.consumer(
                BROKER.bootstrapServers(),
                Clients.props(
                        ConsumerConfig.GROUP_ID_CONFIG, group,
                        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                        ConsumerConfig.CLIENT_ID_CONFIG, "cgc-member"))) {
            member.subscribe(List.of(topic));
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
            while (member.assignment().size() < PARTITIONS && !deadline.passed()) {
                member.poll(Duration.ofMillis(100));
            }
            assertThat(member.assignment()).hasSize(PARTITIONS);
            // Consumed 10, 20 and 30 records of the three partitions.
            member.commitSync(Map.of(
                    tps.get(0),
                    new OffsetAndMetadata(10),
                    tps.get(1),
                    new OffsetAndMetadata(20),
                    tps.get(2),
                    new OffsetAndMetadata(30)));

            final Map<Integer, Map<String, String>> active = describe(group);
            assertThat(active).containsOnlyKeys(0, 1, 2);
            final long[] lag = {20, 10, 0};
            for (int p = 0; p < PARTITIONS; p++) {
                final Map<String, String> row = active.get(p);
                assertThat(row.get("CURRENT-OFFSET"))
                        .as("current offset of %d", p)
                        .isEqualTo(String.valueOf((p + 1) * 10));
                assertThat(row.get("LOG-END-OFFSET")).isEqualTo(String.valueOf(PER_PARTITION));
                assertThat(row.get("LAG")).as("lag of %d", p).isEqualTo(String.valueOf(lag[p]));
                assertThat(row.get("CONSUMER-ID"))
                        .as("the active member owns %d", p)
                        .startsWith("cgc-member-");
                assertThat(row.get("CLIENT-ID")).isEqualTo("cgc-member");
            }

            // An active group's offsets are not reset.
            final Exec.Result refused =
                    GROUPS.run("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
            assertThat(refused.stdout() + refused.stderr()).contains("inactive");
            assertThat(committed(group)).containsEntry(tps.get(0), 10L);
        }
        // The member left: the group is Empty and its offsets stay.
        final Map<Integer, Map<String, String>> inactive = describe(group);
        assertThat(inactive.get(0).get("LAG")).isEqualTo("20");
        assertThat(inactive.get(0).get("CONSUMER-ID")).isEqualTo("-");
        assertThat(GROUPS.run("--describe", "--group", group, "--state")
                        .assertSuccess()
                        .stdout())
                .contains("Empty");

        GROUPS.run("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute")
                .assertSuccess();
        assertThat(committed(group)).isEqualTo(offsets(tps, 0, 0, 0));

        GROUPS.run("--reset-offsets", "--group", group, "--topic", topic, "--to-offset", "5", "--execute")
                .assertSuccess();
        assertThat(committed(group)).isEqualTo(offsets(tps, 5, 5, 5));

        GROUPS.run("--reset-offsets", "--group", group, "--topic", topic, "--shift-by", "7", "--execute")
                .assertSuccess();
        assertThat(committed(group)).isEqualTo(offsets(tps, 12, 12, 12));

        // One partition only; a shift past the log start stops at it.
        GROUPS.run("--reset-offsets", "--group", group, "--topic", topic + ":1", "--shift-by", "-100", "--execute")
                .assertSuccess();
        assertThat(committed(group)).isEqualTo(offsets(tps, 12, 0, 12));

        // Without --execute (a dry run) nothing changes.
        final Exec.Result dryRun = GROUPS.run("--reset-offsets", "--group", group, "--topic", topic, "--to-latest")
                .assertSuccess();
        assertThat(dryRun.stdout()).contains(group);
        assertThat(committed(group)).isEqualTo(offsets(tps, 12, 0, 12));

        // The first record at or after base + 15 s is offset 15 of every partition.
        GROUPS.run(
                        "--reset-offsets",
                        "--group",
                        group,
                        "--topic",
                        topic,
                        "--to-datetime",
                        ISO_MILLIS.format(Instant.ofEpochMilli(base + 15_000)),
                        "--execute")
                .assertSuccess();
        assertThat(committed(group)).isEqualTo(offsets(tps, 15, 15, 15));

        // A member of the group resumes at the reset offsets.
        try (KafkaConsumer<String, String> resumed = Clients.consumer(
                BROKER.bootstrapServers(),
                Clients.props(
                        ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"))) {
            resumed.subscribe(List.of(topic));
            final List<ConsumerRecord<String, String>> records = new ArrayList<>();
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
            while (records.size() < 45 && !deadline.passed()) {
                resumed.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            assertThat(records).hasSize(45);
            for (final TopicPartition tp : tps) {
                assertThat(records.stream()
                                .filter(r -> r.partition() == tp.partition())
                                .map(ConsumerRecord::offset)
                                .toList())
                        .as("offsets read from %s", tp)
                        .first()
                        .isEqualTo(15L);
            }
        }

        // --delete-offsets goes through OffsetDelete.
        final Exec.Result deletedOffsets = GROUPS.run("--delete-offsets", "--group", group, "--topic", topic + ":0")
                .assertSuccess();
        assertThat(deletedOffsets.stdout()).contains("Successful");
        assertThat(committed(group)).isEqualTo(Map.of(tps.get(1), 15L, tps.get(2), 15L));

        final Exec.Result deleted = GROUPS.run("--delete", "--group", group).assertSuccess();
        assertThat(deleted.stdout()).contains("successful");
        assertThat(GROUPS.run("--list").assertSuccess().stdoutLines()).doesNotContain(group);
        assertThat(committed(group)).isEmpty();
    }

    /** {@code --describe --group}: each partition's row, as column name to value. */
    private static Map<Integer, Map<String, String>> describe(final String group) {
        final List<String> lines =
                GROUPS.run("--describe", "--group", group).assertSuccess().stdoutLines();
        String[] header = null;
        final Map<Integer, Map<String, String>> rows = new HashMap<>();
        for (final String line : lines) {
            final String[] cells = line.trim().split("\\s+");
            if (cells.length > 0 && cells[0].equals("GROUP")) {
                header = cells;
            } else if (header != null && cells.length == header.length && cells[0].equals(group)) {
                final Map<String, String> row = new HashMap<>();
                for (int i = 0; i < header.length; i++) {
                    row.put(header[i], cells[i]);
                }
                rows.put(Integer.parseInt(row.get("PARTITION")), row);
            }
        }
        assertThat(header).as("a header in %s", lines).isNotNull();
        assertThat(Arrays.asList(header)).contains("CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID");
        return rows;
    }

    private static Map<TopicPartition, Long> committed(final String group) throws Exception {
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((tp, o) -> offsets.put(tp, o == null ? -1 : o.offset()));
            return offsets;
        }
    }

    private static Map<TopicPartition, Long> offsets(final List<TopicPartition> tps, final long... offsets) {
        final Map<TopicPartition, Long> map = new HashMap<>();
        for (int i = 0; i < offsets.length; i++) {
            map.put(tps.get(i), offsets[i]);
        }
        return map;
    }

    /** {@link #PER_PARTITION} records to each partition, record i with timestamp {@code base} + i seconds. */
    private static void produce(final String topic, final long base) throws Exception {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < PER_PARTITION; i++) {
            for (int p = 0; p < PARTITIONS; p++) {
                records.add(new ProducerRecord<>(topic, p, base + i * 1000L, "k" + i, "v" + i));
            }
        }
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            Produce.acked(producer, records);
        }
    }
}
