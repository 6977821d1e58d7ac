package io.piste.it.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BackgroundProcess;
import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Kcat;
import io.piste.it.support.Produce;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kcat's balanced consumer ({@code kcat -G}, librdkafka's KafkaConsumer) in Piste's consumer groups: two kcat
 * members split a topic's partitions, and kcat and the Java consumer resume from each other's committed offsets.
 *
 * <p>kcat members run in the background and are stopped with SIGTERM (they then commit and leave the group). They
 * are started without {@code -o}: in {@code -G} mode kcat applies {@code -o} to every assignment, overriding the
 * committed offsets; {@code topic.auto.offset.reset=earliest} is for partitions without a committed offset. Nor
 * with {@code -e}: a member whose partitions are all at their end exits, and here they are at first.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KcatGroupIT {
    /** Each printed record: partition, offset, value. */
    private static final String FORMAT = "%p:%o:%s\\n";

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides(
            "group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "5");

    private static Path kcat;

    @BeforeAll
    static void findKcat() {
        kcat = Kcat.require();
    }

    @Test
    void shouldSplitPartitionsBetweenTwoKcatMembersAndPrintEveryRecordOnce() throws Exception {
        final String topic = "kcat-group-split";
        final String group = "kcat-group-split-g";
        final int recordCount = 600;
        Clients.createTopic(BROKER.bootstrapServers(), topic, 6);

        try (BackgroundProcess a = kcatMember(group, topic);
                BackgroundProcess b = kcatMember(group, topic);
                Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final ConsumerGroupDescription split = awaitStableSplit(admin, group, 2, 6, a, b);
            for (final MemberDescription member : split.members()) {
                assertThat(member.assignment().topicPartitions())
                        .as("each kcat member owns some partitions")
                        .isNotEmpty();
            }
            // Produced once the group is stable, so that no rebalance can hand a record to both members.
            Produce.keyed(BROKER.bootstrapServers(), topic, 0, recordCount);

            final boolean all = Bounded.waitFor(
                    Duration.ofSeconds(60),
                    Duration.ofMillis(100),
                    () -> a.stdoutLines().size() + b.stdoutLines().size() >= recordCount);
            assertThat(all)
                    .as("both members printed %d records: %s\n%s", recordCount, a, b)
                    .isTrue();
            // A little longer, so that a record printed twice would show.
            Bounded.sleep(Duration.ofSeconds(1));

            final List<Printed> byA = parse(a.stdoutLines());
            final List<Printed> byB = parse(b.stdoutLines());
            final List<String> values = new ArrayList<>();
            byA.forEach(p -> values.add(p.value()));
            byB.forEach(p -> values.add(p.value()));
            assertThat(values)
                    .as("every record printed exactly once")
                    .hasSize(recordCount)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expectedValues(0, recordCount));
            assertThat(byA).as("member a consumed some records").isNotEmpty();
            assertThat(byB).as("member b consumed some records").isNotEmpty();
            final Set<Integer> partitionsOfA =
                    byA.stream().map(Printed::partition).collect(Collectors.toSet());
            final Set<Integer> partitionsOfB =
                    byB.stream().map(Printed::partition).collect(Collectors.toSet());
            assertThat(partitionsOfA)
                    .as("the members read disjoint partitions")
                    .doesNotContainAnyElementsOf(partitionsOfB);
            final Set<Integer> every = new HashSet<>(partitionsOfA);
            every.addAll(partitionsOfB);
            assertThat(every).hasSize(6);

            // librdkafka auto-commits what it handed to kcat.
            awaitCommitted(admin, group, endOffsets(topic, 6));
        }
    }

    @Test
    void shouldResumeKcatFromJavaCommitsAndJavaFromKcatCommits() throws Exception {
        final String topic = "kcat-group-resume";
        final String group = "kcat-group-resume-g";
        final int partitions = 4;
        Clients.createTopic(BROKER.bootstrapServers(), topic, partitions);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, 400);
        final Map<TopicPartition, Long> end = endOffsets(topic, partitions);

        // A Java group member commits half of each partition, then leaves.
        final Map<TopicPartition, Long> half = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers(), javaMember(group))) {
            consumer.subscribe(List.of(topic));
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
            while (consumer.assignment().size() < partitions && !deadline.passed()) {
                consumer.poll(Duration.ofMillis(100));
            }
            assertThat(consumer.assignment()).hasSize(partitions);
            final Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            end.forEach((tp, offset) -> {
                half.put(tp, offset / 2);
                commit.put(tp, new OffsetAndMetadata(offset / 2, "java"));
            });
            consumer.commitSync(commit);
        }
        final int expected = (int) end.keySet().stream()
                .mapToLong(tp -> end.get(tp) - half.get(tp))
                .sum();
        assertThat(expected).isPositive();

        // kcat in the same group starts from the Java member's commits, not from the beginning.
        try (BackgroundProcess member = kcatMember(group, topic);
                Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final boolean all = Bounded.waitFor(
                    Duration.ofSeconds(60),
                    Duration.ofMillis(100),
                    () -> member.stdoutLines().size() >= expected);
            assertThat(all)
                    .as("kcat printed the %d records after the commits: %s", expected, member)
                    .isTrue();
            Bounded.sleep(Duration.ofSeconds(1));
            final List<Printed> printed = parse(member.stdoutLines());
            assertThat(printed).hasSize(expected);
            for (final TopicPartition tp : end.keySet()) {
                final List<Long> offsets = printed.stream()
                        .filter(p -> p.partition() == tp.partition())
                        .map(Printed::offset)
                        .toList();
                assertThat(offsets).as("kcat's offsets of %s", tp).first().isEqualTo(half.get(tp));
                assertThat(offsets).as("kcat's offsets of %s", tp).hasSize((int) (end.get(tp) - half.get(tp)));
            }

            // kcat's own commits, read by the Java client.
            awaitCommitted(admin, group, end);
        }

        Produce.keyed(BROKER.bootstrapServers(), topic, 400, 440);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers(), javaMember(group))) {
            final Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(end.keySet());
            end.forEach((tp, offset) ->
                    assertThat(committed.get(tp).offset()).as("%s", tp).isEqualTo(offset));
            consumer.subscribe(List.of(topic));
            final List<ConsumerRecord<String, String>> records = new ArrayList<>();
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
            while (records.size() < 40 && !deadline.passed()) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            Bounded.sleep(Duration.ofMillis(500));
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            assertThat(records)
                    .extracting(ConsumerRecord::value)
                    .as("the Java member resumed after kcat's commits")
                    .containsExactlyInAnyOrderElementsOf(expectedValues(400, 440));
        }
    }

    private static Map<String, Object> javaMember(final String group) {
        return Clients.props(
                ConsumerConfig.GROUP_ID_CONFIG,
                group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                "classic",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                500);
    }

    private static BackgroundProcess kcatMember(final String group, final String topic) {
        return BackgroundProcess.start(List.of(
                kcat.toString(),
                "-b",
                BROKER.bootstrapServers(),
                "-X",
                "topic.auto.offset.reset=earliest",
                "-X",
                "session.timeout.ms=10000",
                "-X",
                "heartbeat.interval.ms=500",
                "-X",
                "auto.commit.interval.ms=200",
                "-f",
                FORMAT,
                // Unbuffered: stdout is a file, and the test reads what kcat printed while it runs.
                "-u",
                "-G",
                group,
                topic));
    }

    /**
     * Waits until the group is Stable with {@code members} members whose assignments together cover
     * {@code partitions} partitions, and returns its description.
     */
    private static ConsumerGroupDescription awaitStableSplit(
            final Admin admin,
            final String group,
            final int members,
            final int partitions,
            final BackgroundProcess... processes)
            throws Exception {
        final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(60));
        ConsumerGroupDescription last = null;
        while (!deadline.passed()) {
            last = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(30, TimeUnit.SECONDS);
            if (last.groupState() == GroupState.STABLE && last.members().size() == members) {
                final Set<TopicPartition> assigned = new HashSet<>();
                last.members().forEach(m -> assigned.addAll(m.assignment().topicPartitions()));
                if (assigned.size() == partitions
                        && last.members().stream()
                                .noneMatch(m -> m.assignment().topicPartitions().isEmpty())) {
                    return last;
                }
            }
            for (final BackgroundProcess p : processes) {
                assertThat(p.isAlive()).as("kcat still running: %s", p).isTrue();
            }
            Bounded.sleep(Duration.ofMillis(200));
        }
        throw new AssertionError(
                "group " + group + " not split among " + members + " members: " + last + "\n" + List.of(processes));
    }

    private static void awaitCommitted(
            final Admin admin, final String group, final Map<TopicPartition, Long> expected) {
        final Map<TopicPartition, Long> committed = new HashMap<>();
        final boolean reached = Bounded.waitFor(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
            try {
                committed.clear();
                admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS)
                        .forEach((tp, o) -> committed.put(tp, o == null ? -1 : o.offset()));
                return committed.equals(expected);
            } catch (final Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(reached).as("committed offsets of %s: %s", group, committed).isTrue();
    }

    private static Map<TopicPartition, Long> endOffsets(final String topic, final int partitions) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers())) {
            final List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
            return new HashMap<>(consumer.endOffsets(all, Duration.ofSeconds(20)));
        }
    }

    private static List<String> expectedValues(final int from, final int to) {
        final List<String> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            values.add("v" + i);
        }
        return values;
    }

    private record Printed(int partition, long offset, String value) {}

    private static List<Printed> parse(final List<String> lines) {
        final List<Printed> printed = new ArrayList<>();
        for (final String line : lines) {
            final String[] parts = line.split(":", 3);
            if (parts.length != 3) {
                throw new AssertionError("not partition:offset:value: " + line);
            }
            printed.add(new Printed(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), parts[2]));
        }
        return printed;
    }
}
