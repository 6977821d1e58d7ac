package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Exec;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.Produce;
import io.piste.it.support.ProtocolMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The consumer group protocol (KIP-848): kafka-clients 4.4 consumers with {@code group.protocol=consumer} and the
 * server assignors {@code uniform} and {@code range}, members joining and leaving mid-stream, committed offsets,
 * partitions added later, Admin and ConsumerGroupCommand on a consumer group.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsumerGroupProtocolIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides(
            "group.initial.rebalance.delay.ms", "0",
            "group.consumer.heartbeat.interval.ms", "500",
            // Long enough that a restarted broker's restored members reconnect in time on a slow machine.
            "group.consumer.session.timeout.ms", "30000",
            "offsets.topic.num.partitions", "5");

    private static final KafkaTool GROUPS = KafkaTool.consumerGroupCommand(BROKER::bootstrapServers);

    @ParameterizedTest
    @ValueSource(strings = {"uniform", "range"})
    void shouldConsumeEveryRecordExactlyOnceWhileMembersJoinAndLeave(final String assignor) throws Exception {
        final String topic = "kip848-" + assignor;
        final String group = topic + "-g";
        final int half = 3000;
        Clients.createTopic(BROKER.bootstrapServers(), topic, 6);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, half);

        final Map<String, Integer> consumed = ProtocolMember.newConsumedMap();
        final Map<String, Object> config =
                ProtocolMember.config(group, assignor, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        final Duration pause = Duration.ofMillis(20);
        final List<ProtocolMember> members = new ArrayList<>();
        try {
            for (int m = 0; m < 3; m++) {
                members.add(ProtocolMember.start("m" + m, BROKER.bootstrapServers(), config, topic, consumed, pause));
            }
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(60),
                            Duration.ofMillis(50),
                            () -> members.stream().allMatch(m -> m.assignment().size() == 2)))
                    .as("three members own two of six partitions each: %s", assignments(members))
                    .isTrue();
            assertThat(union(members)).hasSize(6);
            assertThat(consumed.size()).as("consumption is still under way").isLessThan(half);

            // Mid-stream: one member leaves, another joins.
            members.get(2).close();
            final ProtocolMember late =
                    ProtocolMember.start("m3", BROKER.bootstrapServers(), config, topic, consumed, pause);
            members.set(2, late);
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(60),
                            Duration.ofMillis(50),
                            () -> members.stream().allMatch(m -> m.assignment().size() == 2)))
                    .as("after the change, two partitions each again: %s", assignments(members))
                    .isTrue();
            Produce.keyed(BROKER.bootstrapServers(), topic, half, 2 * half);

            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(90), Duration.ofMillis(50), () -> consumed.size() == 2 * half))
                    .as("consumed %s of %s", consumed.size(), 2 * half)
                    .isTrue();
            assertThat(late.consumedHere())
                    .as("the member that joined late consumed")
                    .isPositive();
        } finally {
            for (final ProtocolMember m : members) {
                m.close();
            }
        }
        assertThat(consumed.keySet()).isEqualTo(keys(0, 2 * half));
        assertThat(consumed.entrySet().stream()
                        .filter(e -> e.getValue() > 1)
                        .map(Map.Entry::getKey)
                        .toList())
                .as("records consumed (and committed) twice")
                .isEmpty();
    }

    /**
     * The group's state is written to {@code __consumer_offsets} when it changes, so after a broker restart the
     * members carry on with their epochs and partitions: nothing is revoked or reassigned.
     */
    @Test
    void shouldKeepMembersEpochsAndPartitionsAcrossABrokerRestart() throws Exception {
        final String topic = "kip848-survives-restart";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 4);
        final AtomicInteger assignmentChanges = new AtomicInteger();
        final ConsumerRebalanceListener counting = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    assignmentChanges.incrementAndGet();
                }
            }

            @Override
            public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    assignmentChanges.incrementAndGet();
                }
            }

            @Override
            public void onPartitionsLost(final Collection<TopicPartition> partitions) {
                assignmentChanges.incrementAndGet();
            }
        };
        final Map<String, Object> config =
                ProtocolMember.config(topic + "-g", null, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> a = Clients.consumer(BROKER.bootstrapServers(), config);
                KafkaConsumer<String, String> b = Clients.consumer(BROKER.bootstrapServers(), config)) {
            a.subscribe(List.of(topic), counting);
            b.subscribe(List.of(topic), counting);
            final Bounded.Deadline split = Bounded.Deadline.in(Duration.ofSeconds(60));
            while ((a.assignment().size() != 2 || b.assignment().size() != 2) && !split.passed()) {
                a.poll(Duration.ofMillis(100));
                b.poll(Duration.ofMillis(100));
            }
            // A few more heartbeats, so both members have reported their final assignment.
            final Bounded.Deadline settle = Bounded.Deadline.in(Duration.ofSeconds(2));
            while (!settle.passed()) {
                a.poll(Duration.ofMillis(100));
                b.poll(Duration.ofMillis(100));
            }
            assertThat(a.assignment()).hasSize(2);
            final List<Object> before = List.of(
                    a.groupMetadata().generationId(),
                    b.groupMetadata().generationId(),
                    new HashSet<>(a.assignment()),
                    new HashSet<>(b.assignment()));
            final int changesBefore = assignmentChanges.get();

            BROKER.broker().restart();
            Produce.keyed(BROKER.bootstrapServers(), topic, 0, 40);
            final Set<String> consumed = new HashSet<>();
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(60));
            final Bounded.Deadline watch = Bounded.Deadline.in(Duration.ofSeconds(3));
            while ((consumed.size() < 40 || !watch.passed()) && !deadline.passed()) {
                a.poll(Duration.ofMillis(100)).forEach(r -> consumed.add(r.value()));
                b.poll(Duration.ofMillis(100)).forEach(r -> consumed.add(r.value()));
            }

            assertThat(consumed).hasSize(40);
            assertThat(List.of(
                            a.groupMetadata().generationId(),
                            b.groupMetadata().generationId(),
                            new HashSet<>(a.assignment()),
                            new HashSet<>(b.assignment())))
                    .as("member epochs and assignments")
                    .isEqualTo(before);
            assertThat(assignmentChanges.get())
                    .as("no partition revoked, lost or assigned")
                    .isEqualTo(changesBefore);
        }
    }

    @Test
    void shouldResumeFromCommittedOffsetsWhenTheConsumersRestart() throws Exception {
        final String topic = "kip848-resume";
        final String group = "kip848-resume-g";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 3);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, 300);
        final Map<String, Object> config = ProtocolMember.config(group, null);
        final Map<TopicPartition, Long> committed = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers(), config)) {
            consumer.subscribe(List.of(topic));
            final List<ConsumerRecord<String, String>> records = Consume.atLeast(consumer, 150);
            final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (final ConsumerRecord<String, String> r : records) {
                offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            consumer.commitSync(offsets);
            offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
        }
        // More records after the committed ones on every partition, so that each has a first record to resume at.
        Produce.keyed(BROKER.bootstrapServers(), topic, 300, 600);

        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers(), config)) {
            assertThat(consumer.committed(committed.keySet()).entrySet().stream()
                            .collect(Collectors.toMap(
                                    Map.Entry::getKey, e -> e.getValue().offset())))
                    .isEqualTo(committed);
            consumer.subscribe(List.of(topic));
            final Map<TopicPartition, Long> firstSeen = new HashMap<>();
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(60));
            while (firstSeen.size() < 3 && !deadline.passed()) {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    firstSeen.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
                }
            }
            committed.forEach((tp, offset) ->
                    assertThat(firstSeen.get(tp)).as("first offset of %s", tp).isEqualTo(offset));
        }
    }

    @Test
    void shouldAutoCommitWithTheMemberEpochUpToClose() throws Exception {
        final String topic = "kip848-auto";
        final String group = "kip848-auto-g";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 3);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, 300);
        final Map<String, Object> config = ProtocolMember.config(
                group,
                "uniform",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                true,
                ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG,
                200);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers(), config)) {
            consumer.subscribe(List.of(topic));
            Consume.atLeast(consumer, 300);
        }
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertThat(committed.values().stream()
                            .mapToLong(OffsetAndMetadata::offset)
                            .sum())
                    .as("auto-committed up to the end by close(): %s", committed)
                    .isEqualTo(300);
        }
    }

    @Test
    void shouldAssignPartitionsAddedLaterAndTopicsMatchingAPattern() throws Exception {
        final String topic = "kip848-grow";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 2);
        final Map<String, Integer> consumed = ProtocolMember.newConsumedMap();
        try (ProtocolMember member = ProtocolMember.start(
                "grow",
                BROKER.bootstrapServers(),
                ProtocolMember.config("kip848-grow-g", "uniform"),
                topic,
                consumed,
                Duration.ZERO)) {
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(30),
                            Duration.ofMillis(50),
                            () -> member.assignment().size() == 2))
                    .isTrue();
            try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
                admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(30),
                            Duration.ofMillis(50),
                            () -> member.assignment().size() == 4))
                    .as("the new partitions are assigned: %s", member.assignment())
                    .isTrue();
        }

        // A regular-expression subscription picks up a matching topic created later, and not others.
        Clients.createTopic(BROKER.bootstrapServers(), "kip848-re-a", 2);
        Clients.createTopic(BROKER.bootstrapServers(), "kip848-other", 2);
        try (ProtocolMember member = ProtocolMember.startWithPattern(
                "regex",
                BROKER.bootstrapServers(),
                ProtocolMember.config("kip848-re-g", "uniform"),
                "kip848-re-.*",
                consumed)) {
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(30),
                            Duration.ofMillis(50),
                            () -> member.assignment().size() == 2))
                    .as("assigned %s", member.assignment())
                    .isTrue();
            Clients.createTopic(BROKER.bootstrapServers(), "kip848-re-b", 3);
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(30),
                            Duration.ofMillis(50),
                            () -> member.assignment().size() == 5))
                    .as("the matching topic created later is assigned: %s", member.assignment())
                    .isTrue();
            assertThat(member.assignment())
                    .extracting(TopicPartition::topic)
                    .containsOnly("kip848-re-a", "kip848-re-b");
        }
    }

    @Test
    void shouldDescribeAndListConsumerGroupsWithAdminAndConsumerGroupCommand() throws Exception {
        final String topic = "kip848-admin";
        final String group = "kip848-admin-g";
        final String classicGroup = "kip848-admin-classic";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 4);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, 100);
        final Map<String, Integer> consumed = ProtocolMember.newConsumedMap();
        try (ProtocolMember a = ProtocolMember.start(
                        "a",
                        BROKER.bootstrapServers(),
                        ProtocolMember.config(group, "range"),
                        topic,
                        consumed,
                        Duration.ZERO);
                ProtocolMember b = ProtocolMember.start(
                        "b",
                        BROKER.bootstrapServers(),
                        ProtocolMember.config(group, "range"),
                        topic,
                        consumed,
                        Duration.ZERO);
                KafkaConsumer<String, String> classic = Clients.consumer(
                        BROKER.bootstrapServers(),
                        Clients.props(
                                ConsumerConfig.GROUP_ID_CONFIG,
                                classicGroup,
                                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                                "classic"));
                Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            classic.subscribe(List.of(topic));
            assertThat(Bounded.waitFor(Duration.ofSeconds(60), Duration.ofMillis(50), () -> {
                        classic.poll(Duration.ofMillis(50));
                        return a.assignment().size() == 2
                                && b.assignment().size() == 2
                                && consumed.size() == 100
                                && !classic.assignment().isEmpty();
                    }))
                    .isTrue();
            classic.commitSync();

            final ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(30, TimeUnit.SECONDS);
            assertThat(described.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(described.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(described.partitionAssignor()).isEqualTo("range");
            assertThat(described.members()).hasSize(2);
            final Set<TopicPartition> assigned = new HashSet<>();
            for (final MemberDescription m : described.members()) {
                assertThat(m.assignment().topicPartitions()).hasSize(2);
                assigned.addAll(m.assignment().topicPartitions());
            }
            assertThat(assigned).hasSize(4);
            // The classic group is still described by DescribeGroups (the Admin falls back to it).
            final ConsumerGroupDescription classicDescribed = admin.describeConsumerGroups(List.of(classicGroup))
                    .describedGroups()
                    .get(classicGroup)
                    .get(30, TimeUnit.SECONDS);
            assertThat(classicDescribed.type()).isEqualTo(GroupType.CLASSIC);
            assertThat(classicDescribed.members()).hasSize(1);

            assertThat(groupIds(admin, GroupType.CONSUMER)).contains(group).doesNotContain(classicGroup);
            assertThat(groupIds(admin, GroupType.CLASSIC))
                    .contains(classicGroup)
                    .doesNotContain(group);
            final Map<String, GroupListing> all = admin.listGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .collect(Collectors.toMap(GroupListing::groupId, l -> l));
            assertThat(all.get(group).type()).contains(GroupType.CONSUMER);
            assertThat(all.get(group).protocol()).isEqualTo("consumer");
            assertThat(all.get(classicGroup).type()).contains(GroupType.CLASSIC);

            assertThat(GROUPS.run("--list").assertSuccess().stdoutLines()).contains(group, classicGroup);
            final List<String> rows = GROUPS.run("--describe", "--group", group).assertSuccess().stdoutLines().stream()
                    .filter(line -> line.startsWith(group + " "))
                    .toList();
            assertThat(rows).as("one row per partition").hasSize(4);
            for (final String row : rows) {
                final String[] cells = row.trim().split("\\s+");
                // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
                assertThat(cells[1]).isEqualTo(topic);
                assertThat(cells[5]).as("lag in %s", row).isEqualTo("0");
                assertThat(cells[6]).as("consumer id in %s", row).isNotEqualTo("-");
            }
            final String members = GROUPS.run("--describe", "--group", group, "--members")
                    .assertSuccess()
                    .stdout();
            assertThat(members).contains("#PARTITIONS");
            final String state = GROUPS.run("--describe", "--group", group, "--state")
                    .assertSuccess()
                    .stdout();
            assertThat(state).contains("Stable").contains("range");
        }
    }

    @Test
    void shouldKeepClassicAndConsumerProtocolMembersOutOfEachOthersGroups() throws Exception {
        final String topic = "kip848-mixed";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 2);
        final Map<String, Integer> consumed = ProtocolMember.newConsumedMap();
        try (ProtocolMember member = ProtocolMember.start(
                        "new",
                        BROKER.bootstrapServers(),
                        ProtocolMember.config("kip848-mixed-new", null),
                        topic,
                        consumed,
                        Duration.ZERO);
                KafkaConsumer<String, String> classic = Clients.consumer(
                        BROKER.bootstrapServers(),
                        Clients.props(
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "kip848-mixed-new",
                                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                                "classic"))) {
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(30),
                            Duration.ofMillis(50),
                            () -> member.assignment().size() == 2))
                    .isTrue();
            classic.subscribe(List.of(topic));
            assertThatThrownBy(() -> Consume.untilAssigned(classic))
                    .as("a classic member joining an active consumer group")
                    .isInstanceOf(InconsistentGroupProtocolException.class);
        }

        try (KafkaConsumer<String, String> classic = Clients.consumer(
                        BROKER.bootstrapServers(),
                        Clients.props(
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "kip848-mixed-old",
                                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                                "classic"));
                KafkaConsumer<String, String> modern =
                        Clients.consumer(BROKER.bootstrapServers(), ProtocolMember.config("kip848-mixed-old", null))) {
            classic.subscribe(List.of(topic));
            Consume.untilAssigned(classic);
            modern.subscribe(List.of(topic));
            assertThatThrownBy(() -> Consume.untilAssigned(modern))
                    .as("a consumer-protocol member joining an active classic group")
                    .isInstanceOf(GroupIdNotFoundException.class);
        }
    }

    @Test
    void shouldGiveAStaticMemberItsPartitionsBackWhenItRestartsWithinItsSession() throws Exception {
        final String topic = "kip848-static";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 4);
        final Map<String, Integer> consumed = ProtocolMember.newConsumedMap();
        final Map<String, Object> a = ProtocolMember.config(
                "kip848-static-g", "uniform", ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-a");
        final Map<String, Object> b = ProtocolMember.config(
                "kip848-static-g", "uniform", ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-b");
        try (ProtocolMember other =
                ProtocolMember.start("b", BROKER.bootstrapServers(), b, topic, consumed, Duration.ZERO)) {
            final Set<TopicPartition> before;
            try (ProtocolMember first =
                    ProtocolMember.start("a", BROKER.bootstrapServers(), a, topic, consumed, Duration.ZERO)) {
                assertThat(Bounded.waitFor(
                                Duration.ofSeconds(30),
                                Duration.ofMillis(50),
                                () -> first.assignment().size() == 2
                                        && other.assignment().size() == 2))
                        .isTrue();
                before = first.assignment();
            }
            // Closed: left with epoch -2, its partitions stay with it. The other member keeps its two.
            Bounded.sleep(Duration.ofSeconds(2));
            assertThat(other.assignment()).hasSize(2).doesNotContainAnyElementsOf(before);
            try (ProtocolMember again =
                    ProtocolMember.start("a-again", BROKER.bootstrapServers(), a, topic, consumed, Duration.ZERO)) {
                assertThat(Bounded.waitFor(
                                Duration.ofSeconds(30),
                                Duration.ofMillis(50),
                                () -> again.assignment().equals(before)))
                        .as("same partitions back: %s, before %s", again.assignment(), before)
                        .isTrue();
            }
        }
    }

    @Test
    void shouldDeleteAConsumerGroupOnlyOnceItIsEmpty() throws Exception {
        final String topic = "kip848-delete";
        final String group = "kip848-delete-g";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 2);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, 50);
        final Map<String, Integer> consumed = ProtocolMember.newConsumedMap();
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            try (ProtocolMember member = ProtocolMember.start(
                    "d",
                    BROKER.bootstrapServers(),
                    ProtocolMember.config(group, null),
                    topic,
                    consumed,
                    Duration.ZERO)) {
                assertThat(Bounded.waitFor(Duration.ofSeconds(30), Duration.ofMillis(50), () -> consumed.size() == 50))
                        .isTrue();
                assertThatThrownBy(() ->
                                admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(GroupNotEmptyException.class);
                assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets(group, Set.of(new TopicPartition(topic, 0)))
                                .all()
                                .get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(GroupSubscribedToTopicException.class);
            }
            final ConsumerGroupDescription empty = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(30, TimeUnit.SECONDS);
            assertThat(empty.groupState()).isEqualTo(GroupState.EMPTY);
            assertThat(empty.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS))
                    .hasSize(2);

            // Empty: ConsumerGroupCommand may reset its offsets, and describes it.
            GROUPS.run("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute")
                    .assertSuccess();
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS)
                            .values())
                    .extracting(OffsetAndMetadata::offset)
                    .containsOnly(0L);
            final Exec.Result described =
                    GROUPS.run("--describe", "--group", group).assertSuccess();
            assertThat(described.stdout() + described.stderr()).contains("has no active members");
            assertThat(described.stdoutLines())
                    .anySatisfy(line -> assertThat(line).startsWith(group + " "));

            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS))
                    .isEmpty();
            assertThat(groupIds(admin, GroupType.CONSUMER)).doesNotContain(group);
        }
    }

    private static Set<String> groupIds(final Admin admin, final GroupType type) throws Exception {
        return admin
                .listGroups(new ListGroupsOptions().withTypes(Set.of(type)))
                .all()
                .get(30, TimeUnit.SECONDS)
                .stream()
                .map(GroupListing::groupId)
                .collect(Collectors.toSet());
    }

    private static Map<String, Set<TopicPartition>> assignments(final List<ProtocolMember> members) {
        final Map<String, Set<TopicPartition>> byMember = new HashMap<>();
        members.forEach(m -> byMember.put(m.name(), m.assignment()));
        return byMember;
    }

    private static Set<TopicPartition> union(final List<ProtocolMember> members) {
        final Set<TopicPartition> all = new HashSet<>();
        members.forEach(m -> all.addAll(m.assignment()));
        return all;
    }

    private static Set<String> keys(final int from, final int to) {
        final Set<String> keys = new HashSet<>();
        for (int i = from; i < to; i++) {
            keys.add("k" + i);
        }
        return keys;
    }
}
