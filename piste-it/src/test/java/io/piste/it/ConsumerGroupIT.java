package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.piste.broker.group.PartitionLag;
import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Exec;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.Produce;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DeleteConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consumer groups with the classic protocol: kafka-clients 4.4 consumers sharing a topic's partitions, members
 * leaving mid-stream, committed offsets surviving a broker restart, and Kafka's ConsumerPerformance tool.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsumerGroupIT {
    private static final Duration POLL = Duration.ofMillis(100);

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides(
            "group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "5");

    private static final KafkaTool GROUPS = KafkaTool.consumerGroupCommand(BROKER::bootstrapServers);

    private static Map<String, Object> groupConsumer(final String groupId, final Object... more) {
        final Map<String, Object> props = Clients.props(more);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        return props;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "org.apache.kafka.clients.consumer.RangeAssignor",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
            })
    void shouldSharePartitionsAmongThreeMembersAndRebalanceWhenOneLeaves(final String assignor) throws Exception {
        final String topic = "group-share-" + assignor.substring(assignor.lastIndexOf('.') + 1);
        final int recordCount = 3000;
        Clients.createTopic(BROKER.bootstrapServers(), topic, 6);

        final Map<String, Integer> consumed = new ConcurrentHashMap<>();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch leaverMayGo = new CountDownLatch(1);
        final Map<Integer, Set<TopicPartition>> assignments = new ConcurrentHashMap<>();
        final AtomicInteger consumedByLeaver = new AtomicInteger();
        final ExecutorService members = Executors.newFixedThreadPool(3);
        try {
            final List<Future<?>> running = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                final int member = m;
                running.add(members.submit(() -> {
                    try (KafkaConsumer<String, String> consumer = Clients.consumer(
                            BROKER.bootstrapServers(),
                            groupConsumer(
                                    topic + "-g",
                                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                                    20,
                                    ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                                    assignor))) {
                        consumer.subscribe(List.of(topic));
                        final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(90));
                        while (!stop.get() && !deadline.passed()) {
                            final ConsumerRecords<String, String> records = consumer.poll(POLL);
                            assignments.put(member, new HashSet<>(consumer.assignment()));
                            if (!records.isEmpty() && commitAll(consumer, records)) {
                                for (ConsumerRecord<String, String> record : records) {
                                    if (consumed.merge(record.value(), 1, Integer::sum) > 1) {
                                        duplicates.incrementAndGet();
                                    }
                                }
                                if (member == 2) {
                                    consumedByLeaver.addAndGet(records.count());
                                }
                            }
                            // The last member leaves mid-stream (close() sends LeaveGroup).
                            if (member == 2 && leaverMayGo.getCount() == 0) {
                                return;
                            }
                        }
                    }
                }));
            }

            final Bounded.Deadline split = Bounded.Deadline.in(Duration.ofSeconds(60));
            while (!split.passed()
                    && !(assignments.size() == 3
                            && assignments.values().stream().allMatch(a -> a.size() == 2))) {
                Thread.sleep(50);
            }
            assertThat(assignments.values())
                    .as("each of three members owns two of six partitions")
                    .allSatisfy(a -> assertThat(a).hasSize(2));
            final Set<TopicPartition> all = new HashSet<>();
            assignments.values().forEach(all::addAll);
            assertThat(all).hasSize(6);
            // Produced once the group is split, so that every member has records to consume.
            Produce.keyed(BROKER.bootstrapServers(), topic, 0, recordCount / 2);

            final Bounded.Deadline some = Bounded.Deadline.in(Duration.ofSeconds(30));
            while ((consumed.size() < recordCount / 6 || consumedByLeaver.get() == 0) && !some.passed()) {
                Thread.sleep(10);
            }
            assertThat(consumedByLeaver.get())
                    .as("the leaver consumed before leaving")
                    .isPositive();
            leaverMayGo.countDown();
            running.get(2).get(30, TimeUnit.SECONDS);
            assignments.remove(2);
            // The second half goes to every partition, the leaver's former ones too: the two others must take them.
            Produce.keyed(BROKER.bootstrapServers(), topic, recordCount / 2, recordCount);

            final Bounded.Deadline rest = Bounded.Deadline.in(Duration.ofSeconds(60));
            while (consumed.size() < recordCount && !rest.passed()) {
                Thread.sleep(20);
            }
            // Each member records its assignment after every poll; give both a poll after the last records.
            final Set<TopicPartition> afterLeave = new HashSet<>();
            final Bounded.Deadline settled = Bounded.Deadline.in(Duration.ofSeconds(30));
            while (!settled.passed()) {
                afterLeave.clear();
                assignments.values().forEach(afterLeave::addAll);
                if (afterLeave.size() == 6) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(afterLeave)
                    .as("the two remaining members own all six partitions")
                    .hasSize(6);
            stop.set(true);
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            members.shutdownNow();
            members.awaitTermination(30, TimeUnit.SECONDS);
        }
        assertThat(consumed).hasSize(recordCount);
        assertThat(duplicates.get())
                .as("records consumed (and committed) twice")
                .isZero();
    }

    /**
     * Commits the offsets after {@code records}; false if the group rebalanced first. Then the records are
     * consumed again from the last commit: by the partition's next owner, or by this member if it keeps the
     * partition (a cooperative rebalance), which therefore goes back to the first of them.
     */
    private static boolean commitAll(
            final KafkaConsumer<String, String> consumer, final ConsumerRecords<String, String> records) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new java.util.HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            final List<ConsumerRecord<String, String>> of = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(of.get(of.size() - 1).offset() + 1));
        }
        try {
            consumer.commitSync(offsets);
            return true;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            for (TopicPartition tp : records.partitions()) {
                if (consumer.assignment().contains(tp)) {
                    consumer.seek(tp, records.records(tp).get(0).offset());
                }
            }
            return false;
        }
    }

    /**
     * The membership is written to {@code __consumer_offsets} when a rebalance completes, so after a broker
     * restart the members carry on in their generation: no rejoin, no new member ids, no partitions moved.
     */
    @Test
    void shouldKeepTheGroupWithoutRebalanceAcrossABrokerRestart() throws Exception {
        final String topic = "group-survives-restart";
        final String group = topic + "-g";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 4);
        final AtomicInteger assignments = new AtomicInteger();
        final ConsumerRebalanceListener counting = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
                assignments.incrementAndGet();
            }
        };
        final Map<String, Object> props = groupConsumer(
                group,
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.RangeAssignor",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        // The restored members get one session timeout from the broker's start to heartbeat again: a long one, so
        // that a slow machine cannot turn the restart into a session expiry.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000);
        try (KafkaConsumer<String, String> a = Clients.consumer(BROKER.bootstrapServers(), props);
                KafkaConsumer<String, String> b = Clients.consumer(BROKER.bootstrapServers(), props)) {
            a.subscribe(List.of(topic), counting);
            b.subscribe(List.of(topic), counting);
            final Bounded.Deadline joined = Bounded.Deadline.in(Duration.ofSeconds(40));
            while ((a.assignment().size() != 2 || b.assignment().size() != 2) && !joined.passed()) {
                a.poll(POLL);
                b.poll(POLL);
            }
            final List<Object> before = List.of(
                    a.groupMetadata().memberId(),
                    b.groupMetadata().memberId(),
                    a.groupMetadata().generationId(),
                    new HashSet<>(a.assignment()),
                    new HashSet<>(b.assignment()));
            final int assignmentsBefore = assignments.get();
            assertThat(a.assignment()).hasSize(2);

            BROKER.broker().restart();
            Produce.keyed(BROKER.bootstrapServers(), topic, 0, 40);
            final Set<String> consumed = new HashSet<>();
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
            final Bounded.Deadline settle = Bounded.Deadline.in(Duration.ofSeconds(3));
            while ((consumed.size() < 40 || !settle.passed()) && !deadline.passed()) {
                a.poll(POLL).forEach(r -> consumed.add(r.value()));
                b.poll(POLL).forEach(r -> consumed.add(r.value()));
            }

            assertThat(consumed).hasSize(40);
            assertThat(List.of(
                            a.groupMetadata().memberId(),
                            b.groupMetadata().memberId(),
                            a.groupMetadata().generationId(),
                            new HashSet<>(a.assignment()),
                            new HashSet<>(b.assignment())))
                    .as("member ids, generation and assignments")
                    .isEqualTo(before);
            assertThat(assignments.get()).as("no rebalance").isEqualTo(assignmentsBefore);
        }
    }

    @Test
    void shouldFetchCommittedOffsetsAndResumeFromThemAfterBrokerRestart() throws Exception {
        final String topic = "group-resume";
        final String group = "group-resume-g";
        final TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, 10);

        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), groupConsumer(group))) {
            consumer.subscribe(List.of(topic));
            final List<ConsumerRecord<String, String>> records = Consume.atLeast(consumer, 10);
            assertThat(records).hasSize(10);
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(6, "half-way")));
            final OffsetAndMetadata committed = consumer.committed(Set.of(tp)).get(tp);
            assertThat(committed.offset()).isEqualTo(6);
            assertThat(committed.metadata()).isEqualTo("half-way");

            try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
                final ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group))
                        .describedGroups()
                        .get(group)
                        .get(30, TimeUnit.SECONDS);
                assertThat(described.groupState()).isEqualTo(GroupState.STABLE);
                assertThat(described.partitionAssignor()).isEqualTo("range");
                assertThat(described.members())
                        .singleElement()
                        .satisfies(m ->
                                assertThat(m.assignment().topicPartitions()).containsExactly(tp));
            }
        }

        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            assertThat(admin.listGroups(ListGroupsOptions.forConsumerGroups())
                            .all()
                            .get(30, TimeUnit.SECONDS))
                    .extracting(GroupListing::groupId)
                    .contains(group);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS)
                            .get(tp)
                            .offset())
                    .isEqualTo(6);
        }

        BROKER.broker().restart();

        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), groupConsumer(group))) {
            assertThat(consumer.committed(Set.of(tp)).get(tp).offset()).isEqualTo(6);
            consumer.subscribe(List.of(topic));
            final List<ConsumerRecord<String, String>> records = Consume.atLeast(consumer, 4);
            assertThat(records).extracting(ConsumerRecord::offset).containsExactly(6L, 7L, 8L, 9L);
        }

        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            assertThat(admin.describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group)
                            .get(30, TimeUnit.SECONDS)
                            .groupState())
                    .isEqualTo(GroupState.EMPTY);
            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.listGroups(ListGroupsOptions.forConsumerGroups())
                            .all()
                            .get(30, TimeUnit.SECONDS))
                    .extracting(GroupListing::groupId)
                    .doesNotContain(group);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS))
                    .isEmpty();
        }
    }

    /**
     * Two static members; one restarts within its session timeout and gets its partitions back in the same
     * generation, while the other sees no rebalance. The restarting one is the follower, or the group leader
     * (which Kafka answers with SkipAssignment, KIP-814).
     */
    @ParameterizedTest(name = "restarting the group leader: {0}")
    @ValueSource(booleans = {false, true})
    void shouldKeepStaticMemberPartitionsWithoutRebalanceWhenItRestarts(final boolean restartLeader) throws Exception {
        final String topic = "group-static-" + restartLeader;
        final String group = topic + "-g";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 2);
        final AtomicInteger stayingRebalances = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final ExecutorService stayingThread = Executors.newSingleThreadExecutor();
        KafkaConsumer<String, String> restarting = null;
        try {
            if (restartLeader) {
                restarting = staticMember(group, "static-restarting");
                restarting.subscribe(List.of(topic));
                Consume.untilAssigned(restarting);
            }
            final CountDownLatch stayingJoined = new CountDownLatch(1);
            final Future<?> staying = stayingThread.submit(() -> {
                try (KafkaConsumer<String, String> consumer = staticMember(group, "static-staying")) {
                    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {}

                        @Override
                        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
                            stayingRebalances.incrementAndGet();
                        }
                    });
                    final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(90));
                    while (!stop.get() && !deadline.passed()) {
                        consumer.poll(POLL);
                        if (!consumer.assignment().isEmpty()) {
                            stayingJoined.countDown();
                        }
                    }
                }
            });
            if (restartLeader) {
                // The first member keeps polling while the second joins, until each holds one partition.
                final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
                while ((restarting.assignment().size() != 1 || stayingJoined.getCount() > 0) && !deadline.passed()) {
                    restarting.poll(POLL);
                }
            } else {
                assertThat(stayingJoined.await(30, TimeUnit.SECONDS)).isTrue();
                restarting = staticMember(group, "static-restarting");
                restarting.subscribe(List.of(topic));
                Consume.untilAssigned(restarting);
            }
            final Set<TopicPartition> before = new HashSet<>(restarting.assignment());
            final int generation = restarting.groupMetadata().generationId();
            // Static members do not leave the group when they close.
            restarting.close();
            restarting = null;
            final int rebalancesBefore = stayingRebalances.get();
            assertThat(before).hasSize(1);

            try (KafkaConsumer<String, String> restarted = staticMember(group, "static-restarting")) {
                restarted.subscribe(List.of(topic));
                assertThat(Consume.untilAssigned(restarted)).isEqualTo(before);
                assertThat(restarted.groupMetadata().generationId()).isEqualTo(generation);
            }
            assertThat(stayingRebalances.get())
                    .as("the other member saw no rebalance")
                    .isEqualTo(rebalancesBefore);
            stop.set(true);
            staying.get(30, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            if (restarting != null) {
                restarting.close();
            }
            stayingThread.shutdownNow();
            stayingThread.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaConsumer<String, String> staticMember(final String group, final String instanceId) {
        return Clients.consumer(
                BROKER.bootstrapServers(), groupConsumer(group, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId));
    }

    @Test
    void shouldDeleteOffsetsOfTopicsTheGroupNoLongerConsumes() throws Exception {
        final String topic = "group-offset-delete";
        final String other = "group-offset-delete-other";
        final String group = "group-offset-delete-g";
        final TopicPartition a0 = new TopicPartition(topic, 0);
        final TopicPartition a1 = new TopicPartition(topic, 1);
        final TopicPartition b0 = new TopicPartition(other, 0);
        Clients.createTopic(BROKER.bootstrapServers(), topic, 2);
        Clients.createTopic(BROKER.bootstrapServers(), other, 1);

        try (KafkaConsumer<String, String> consumer =
                        Clients.consumer(BROKER.bootstrapServers(), groupConsumer(group));
                Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            consumer.subscribe(List.of(topic));
            assertThat(Consume.untilAssigned(consumer)).containsExactlyInAnyOrder(a0, a1);
            // Offsets of a topic the group does not subscribe to (any more) can be committed and deleted.
            consumer.commitSync(
                    Map.of(a0, new OffsetAndMetadata(1), a1, new OffsetAndMetadata(2), b0, new OffsetAndMetadata(3)));

            final DeleteConsumerGroupOffsetsResult subscribed = admin.deleteConsumerGroupOffsets(group, Set.of(a0));
            assertThatThrownBy(() -> subscribed.partitionResult(a0).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(GroupSubscribedToTopicException.class);

            admin.deleteConsumerGroupOffsets(group, Set.of(b0)).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS))
                    .containsOnlyKeys(a0, a1);
        }

        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            // The member left: the group is Empty and subscribes to nothing.
            admin.deleteConsumerGroupOffsets(group, Set.of(a0, new TopicPartition("never-committed", 0)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets("group-offset-delete-unknown", Set.of(a0))
                            .all()
                            .get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(GroupIdNotFoundException.class);
        }

        BROKER.broker().restart();

        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final Map<TopicPartition, OffsetAndMetadata> left = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertThat(left).as("the deletions are durable").containsOnlyKeys(a1);
            assertThat(left.get(a1).offset()).isEqualTo(2);
        }
    }

    @Test
    void shouldCommitStandaloneOffsetsWithoutMembership() throws Exception {
        final String topic = "group-standalone";
        final TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), groupConsumer("group-standalone-g"))) {
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
            assertThat(consumer.committed(Set.of(tp)).get(tp).offset()).isZero();
        }
    }

    @Test
    void shouldExposeEachGroupsLagPerPartition() throws Exception {
        final String topic = "group-lag";
        final String group = "group-lag-g";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 3);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, 90);
        final TopicPartition p0 = new TopicPartition(topic, 0);
        final TopicPartition p1 = new TopicPartition(topic, 1);
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), groupConsumer(group))) {
            consumer.assign(List.of(p0, p1));
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(0), p1, new OffsetAndMetadata(4)));
        }
        final Map<TopicPartition, Long> ends;
        try (KafkaConsumer<String, String> reader = Clients.consumer(BROKER.bootstrapServers())) {
            ends = reader.endOffsets(List.of(p0, p1));
        }
        assertThat(ends.values()).as("records on both partitions").allMatch(end -> end > 4);

        final List<PartitionLag> lag = BROKER.broker().consumerLag().stream()
                .filter(l -> l.groupId().equals(group))
                .toList();

        assertThat(lag).extracting(PartitionLag::partition).containsExactly(p0, p1);
        assertThat(lag).extracting(PartitionLag::endOffset).containsExactly(ends.get(p0), ends.get(p1));
        assertThat(lag).extracting(PartitionLag::lag).containsExactly(ends.get(p0), ends.get(p1) - 4);
        assertThat(lag.get(1).commitTimestampMs()).isCloseTo(System.currentTimeMillis(), within(60_000L));
    }

    @Test
    void shouldRefuseToDeleteTheOffsetsTopic() throws Exception {
        final String topic = "group-offsets-kept";
        final TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        final Map<String, Object> props = groupConsumer("group-offsets-kept-g");
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers(), props)) {
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(7)));
        }
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            assertThatThrownBy(() -> admin.deleteTopics(List.of("__consumer_offsets"))
                            .all()
                            .get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("internal topic");
            assertThat(admin.listTopics(new ListTopicsOptions().listInternal(true))
                            .names()
                            .get(30, TimeUnit.SECONDS))
                    .contains("__consumer_offsets");
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(BROKER.bootstrapServers(), props)) {
            assertThat(consumer.committed(Set.of(tp)).get(tp).offset()).isEqualTo(7);
        }
    }

    @Test
    void shouldConsumeWithConsumerPerformance() throws Exception {
        final String topic = "group-perf";
        final int recordCount = 2000;
        Clients.createTopic(BROKER.bootstrapServers(), topic, 3);
        Produce.keyed(BROKER.bootstrapServers(), topic, 0, recordCount);

        final Exec.Result result = Exec.java(
                        "org.apache.kafka.tools.ConsumerPerformance",
                        List.of(
                                "--bootstrap-server",
                                BROKER.bootstrapServers(),
                                "--topic",
                                topic,
                                "--num-records",
                                String.valueOf(recordCount),
                                "--group",
                                "group-perf-g",
                                "--timeout",
                                "30000"),
                        "",
                        Duration.ofSeconds(90))
                .assertSuccess();

        // One line of stats after the header: ..., data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, ...
        final List<String> lines = result.stdoutLines();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        final String[] stats = lines.get(lines.size() - 1).split(",\\s*");
        assertThat(Long.parseLong(stats[4].trim())).isEqualTo(recordCount);
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("group-perf-g")
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertThat(committed.values().stream()
                            .mapToLong(OffsetAndMetadata::offset)
                            .sum())
                    .isEqualTo(recordCount);
        }

        assertThat(GROUPS.run("--list").assertSuccess().stdoutLines()).contains("group-perf-g");
        // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
        final List<String[]> rows =
                GROUPS.run("--describe", "--group", "group-perf-g").assertSuccess().stdoutLines().stream()
                        .map(String::trim)
                        .filter(l -> l.startsWith("group-perf-g "))
                        .map(l -> l.split("\\s+"))
                        .toList();
        assertThat(rows).hasSize(3);
        long consumedTotal = 0;
        for (String[] row : rows) {
            assertThat(row[1]).isEqualTo(topic);
            assertThat(row[3]).as("current offset = log end offset").isEqualTo(row[4]);
            assertThat(row[5]).as("lag").isEqualTo("0");
            consumedTotal += Long.parseLong(row[3]);
        }
        assertThat(consumedTotal).isEqualTo(recordCount);
    }
}
