package io.piste.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.group.CommittedOffset;
import io.piste.broker.group.GroupConfig;
import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.GroupOffsets;
import io.piste.broker.group.GroupRecord;
import io.piste.broker.group.GroupTimer;
import io.piste.broker.group.OffsetsTopic;
import io.piste.broker.group.consumer.ConsumerGroupConfig;
import io.piste.broker.group.consumer.ConsumerGroupCoordinator;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.partition.LogManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TxnOffsetCommit over the real group coordinators and {@code __consumer_offsets} (real storage in a temporary
 * directory), with the transaction coordinator's check as a lambda; and OffsetFetch's requireStable on what it leaves
 * pending.
 */
@Timeout(60)
class TxnOffsetCommitHandlerTest {

    private static final long PRODUCER_ID = 1000L;
    private static final short PRODUCER_EPOCH = 2;

    @TempDir
    Path dir;

    private LocalController controller;
    private LogManager replicas;
    private GroupCoordinator classic;
    private ConsumerGroupCoordinator consumer;
    private GroupOffsets offsets;
    private OffsetsTopic offsetsTopic;
    private BrokerContext broker;
    private GroupRouter router;
    private Uuid topicId;
    /** What the transaction coordinator answers, and what it was asked. */
    private volatile Errors gateAnswer = Errors.NONE;

    private final List<String> gateCalls = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        controller = LocalController.open(dir.resolve("metadata"));
        BrokerConfig config = new BrokerConfig(
                Map.of(BrokerConfig.LOG_DIRS_CONFIG, dir.resolve("logs").toString()));
        replicas = new LogManager(config);
        replicas.startup(controller.image());
        controller.setListener(replicas);
        topicId = controller.createTopic("t", 2, Map.of()).topicId();
        classic = new GroupCoordinator(GroupConfig.KAFKA_DEFAULTS, GroupTimer.system());
        consumer = new ConsumerGroupCoordinator(
                ConsumerGroupConfig.KAFKA_DEFAULTS,
                GroupTimer.system(),
                controller::image,
                groupId -> classic.admin().deleteGroup(groupId) != Errors.NON_EMPTY_GROUP);
        offsetsTopic = new OffsetsTopic(controller, replicas, 1, System::currentTimeMillis);
        offsets = new GroupOffsets(offsetsTopic, offsetsTopic::partitionOf);
        // No transaction coordinator: the handler asks only its gate.
        broker = new BrokerContext(
                config, "cluster", controller, replicas, classic, offsets, consumer, null, null, null, null);
        router = new GroupRouter(classic, consumer);
    }

    @AfterEach
    void stop() throws Exception {
        consumer.close();
        classic.close();
        replicas.close();
        controller.close();
    }

    private TxnOffsetCommitHandler handler() {
        return new TxnOffsetCommitHandler(
                broker, router, offsets, (transactionalId, producerId, epoch, groupId, version, commit, refused) -> {
                    synchronized (gateCalls) {
                        gateCalls.add(transactionalId + "/" + producerId + "/" + epoch + "/" + groupId);
                    }
                    if (gateAnswer == Errors.NONE) {
                        commit.run();
                    } else {
                        refused.accept(gateAnswer);
                    }
                });
    }

    private static TxnOffsetCommitRequestData request(String groupId, short version, Uuid topicId, String topic) {
        return new TxnOffsetCommitRequestData()
                .setTransactionalId("tx")
                .setGroupId(groupId)
                .setProducerId(PRODUCER_ID)
                .setProducerEpoch(PRODUCER_EPOCH)
                .setTopics(new ArrayList<>(List.of(new TxnOffsetCommitRequestTopic()
                        .setName(version >= 6 ? "" : topic)
                        .setTopicId(version >= 6 ? topicId : Uuid.ZERO_UUID)
                        .setPartitions(new ArrayList<>(List.of(
                                new TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(0)
                                        .setCommittedOffset(10)
                                        .setCommittedMetadata("m"),
                                new TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(1)
                                        .setCommittedOffset(11)
                                        .setCommittedMetadata(null)))))));
    }

    private TxnOffsetCommitRequestData request(String groupId, short version) {
        return request(groupId, version, topicId, "t");
    }

    private <T extends ApiMessage> T call(ApiKeys api, short version, ApiMessage data, RequestHandlerCall handler)
            throws InterruptedException {
        RecordedRequest recorded = new RecordedRequest(api, version, data, null);
        handler.handle(recorded);
        return recorded.awaitAnswer();
    }

    @FunctionalInterface
    private interface RequestHandlerCall {
        void handle(RecordedRequest request);
    }

    private TxnOffsetCommitResponseData commit(TxnOffsetCommitRequestData data, short version) throws Exception {
        return call(ApiKeys.TXN_OFFSET_COMMIT, version, data, r -> handler().handle(r.context()));
    }

    private static List<Errors> errors(TxnOffsetCommitResponseData response) {
        List<Errors> errors = new ArrayList<>();
        for (TxnOffsetCommitResponseTopic topic : response.topics()) {
            for (TxnOffsetCommitResponsePartition p : topic.partitions()) {
                errors.add(Errors.forCode(p.errorCode()));
            }
        }
        return errors;
    }

    @ParameterizedTest
    @ValueSource(shorts = {0, 1, 2, 3, 4, 5, 6})
    void shouldWriteTheOffsetsPendingUntilTheTransactionCompletes(short version) throws Exception {
        TxnOffsetCommitResponseData response = commit(request("g", version), version);

        assertThat(errors(response)).containsExactly(Errors.NONE, Errors.NONE);
        if (version >= 6) {
            assertThat(response.topics().get(0).topicId()).isEqualTo(topicId);
        } else {
            assertThat(response.topics().get(0).name()).isEqualTo("t");
        }
        assertThat(gateCalls).containsExactly("tx/" + PRODUCER_ID + "/" + PRODUCER_EPOCH + "/g");
        assertThat(offsets.fetch("g")).as("pending, not committed").isEmpty();
        assertThat(offsets.hasPendingTransactionalOffset("g", new TopicPartition("t", 0)))
                .isTrue();
        assertThat(classic.admin().listGroups(List.of(), List.of()))
                .as("a simple group, as OffsetCommit creates")
                .anySatisfy(listed -> assertThat(listed.groupId()).isEqualTo("g"));

        offsets.completeTransaction(offsetsTopic.partitionOf("g"), PRODUCER_ID, true);
        assertThat(offsets.fetch("g").get(new TopicPartition("t", 0)).offset()).isEqualTo(10);
        assertThat(offsets.fetch("g").get(new TopicPartition("t", 1)).metadata())
                .isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"INVALID_PRODUCER_EPOCH", "TRANSACTIONAL_ID_NOT_FOUND", "PRODUCER_FENCED"})
    void shouldAnswerTheTransactionCoordinatorsErrorForEveryPartitionAndWriteNothing(String error) throws Exception {
        gateAnswer = Errors.valueOf(error);

        TxnOffsetCommitResponseData response = commit(request("g", (short) 3), (short) 3);

        assertThat(errors(response)).containsExactly(gateAnswer, gateAnswer);
        assertThat(offsets.hasPendingTransactionalOffsets("g")).isFalse();
        assertThat(replicas.partition(OffsetsTopic.NAME, 0))
                .as("nothing written")
                .isNull();
    }

    @Test
    void shouldAnswerUnknownTopicPerPartitionAndCommitTheOthers() throws Exception {
        TxnOffsetCommitRequestData data = request("g", (short) 3);
        data.topics()
                .get(0)
                .partitions()
                .add(new TxnOffsetCommitRequestPartition().setPartitionIndex(2).setCommittedOffset(1));
        data.topics()
                .add(new TxnOffsetCommitRequestTopic()
                        .setName("missing")
                        .setPartitions(List.of(new TxnOffsetCommitRequestPartition().setPartitionIndex(0))));

        TxnOffsetCommitResponseData response = commit(data, (short) 3);

        assertThat(errors(response))
                .containsExactly(
                        Errors.NONE, Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void shouldAnswerUnknownTopicIdFromV6() throws Exception {
        TxnOffsetCommitResponseData response = commit(request("g", (short) 6, Uuid.randomUuid(), null), (short) 6);

        assertThat(errors(response)).containsExactly(Errors.UNKNOWN_TOPIC_ID, Errors.UNKNOWN_TOPIC_ID);
        assertThat(gateCalls).as("nothing to commit, nothing to ask").isEmpty();
    }

    @Test
    void shouldAnswerOffsetMetadataTooLargeForThatPartitionOnly() throws Exception {
        TxnOffsetCommitRequestData data = request("g", (short) 3);
        data.topics()
                .get(0)
                .partitions()
                .get(0)
                .setCommittedMetadata("x".repeat(GroupConfig.KAFKA_DEFAULTS.offsetMetadataMaxBytes() + 1));

        TxnOffsetCommitResponseData response = commit(data, (short) 3);

        assertThat(errors(response)).containsExactly(Errors.OFFSET_METADATA_TOO_LARGE, Errors.NONE);
        assertThat(offsets.hasPendingTransactionalOffset("g", new TopicPartition("t", 0)))
                .isFalse();
        assertThat(offsets.hasPendingTransactionalOffset("g", new TopicPartition("t", 1)))
                .isTrue();
    }

    @Test
    void shouldAnswerInvalidGroupIdForAnEmptyGroup() throws Exception {
        assertThat(errors(commit(request("", (short) 3), (short) 3)))
                .containsExactly(Errors.INVALID_GROUP_ID, Errors.INVALID_GROUP_ID);
    }

    /** A Stable classic group "c" of generation 4 with member "m" (static instance "i"). */
    private void stableClassicGroup() {
        classic.restore(
                "c",
                new GroupRecord(
                        "consumer",
                        4,
                        "range",
                        "m",
                        1L,
                        List.of(new GroupRecord.Member(
                                "m", "i", "client", "/127.0.0.1", 30_000, 60_000, new byte[0], new byte[0]))));
    }

    private Errors classicCommit(short version, int generation, String memberId, String instanceId) throws Exception {
        TxnOffsetCommitRequestData data = request("c", version)
                .setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId)
                .setGroupInstanceId(instanceId);
        return errors(commit(data, version)).get(0);
    }

    @Test
    void shouldCheckTheMemberAndGenerationOfAClassicGroupFromV3() throws Exception {
        stableClassicGroup();

        assertThat(classicCommit((short) 3, 4, "m", "i")).isEqualTo(Errors.NONE);
        assertThat(classicCommit((short) 3, 3, "m", "i")).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(classicCommit((short) 3, 4, "other", null)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(classicCommit((short) 3, 4, "other", "i")).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(classicCommit((short) 3, -1, "", null))
                .as("no member named: accepted though the group has members, as Kafka does for TxnOffsetCommit")
                .isEqualTo(Errors.NONE);
        assertThat(errors(commit(request("c", (short) 2), (short) 2)))
                .as("v2 cannot name a member")
                .containsOnly(Errors.NONE);
    }

    @Test
    void shouldAnswerIllegalGenerationBeforeV6AndGroupIdNotFoundFromV6ForAnUnknownGroup() throws Exception {
        assertThat(errors(commit(request("nobody", (short) 5).setGenerationIdOrMemberEpoch(1), (short) 5)))
                .containsOnly(Errors.ILLEGAL_GENERATION);
        assertThat(errors(commit(request("nobody", (short) 6).setGenerationIdOrMemberEpoch(1), (short) 6)))
                .containsOnly(Errors.GROUP_ID_NOT_FOUND);
    }

    /** A consumer group "cg" (KIP-848) with member "cm"; returns its member epoch. */
    private int consumerGroupMember() {
        AtomicReference<ConsumerGroupHeartbeatResponseData> joined = new AtomicReference<>();
        consumer.heartbeat(
                new ConsumerGroupHeartbeatRequestData()
                        .setGroupId("cg")
                        .setMemberId("cm")
                        .setMemberEpoch(0)
                        .setRebalanceTimeoutMs(30_000)
                        .setSubscribedTopicNames(List.of("t"))
                        .setTopicPartitions(List.of()),
                (short) 1,
                "client",
                "/127.0.0.1",
                joined::set);
        assertThat(joined.get().errorCode()).isZero();
        return joined.get().memberEpoch();
    }

    @Test
    void shouldCheckTheMemberEpochOfAConsumerGroup() throws Exception {
        int epoch = consumerGroupMember();

        TxnOffsetCommitRequestData current =
                request("cg", (short) 5).setGenerationIdOrMemberEpoch(epoch).setMemberId("cm");
        assertThat(errors(commit(current, (short) 5))).containsOnly(Errors.NONE);
        TxnOffsetCommitRequestData ahead =
                request("cg", (short) 5).setGenerationIdOrMemberEpoch(epoch + 1).setMemberId("cm");
        assertThat(errors(commit(ahead, (short) 5))).containsOnly(Errors.ILLEGAL_GENERATION);
        assertThat(errors(commit(ahead.setTopics(request("cg", (short) 6).topics()), (short) 6)))
                .containsOnly(Errors.STALE_MEMBER_EPOCH);
        TxnOffsetCommitRequestData stranger =
                request("cg", (short) 5).setGenerationIdOrMemberEpoch(epoch).setMemberId("nobody");
        assertThat(errors(commit(stranger, (short) 5))).containsOnly(Errors.UNKNOWN_MEMBER_ID);
    }

    // ---------------------------------------------------------------- OffsetFetch requireStable

    private OffsetHandlers offsetHandlers() {
        return new OffsetHandlers(broker, router, offsets);
    }

    private List<OffsetFetchResponsePartition> fetchV7(boolean requireStable) throws Exception {
        OffsetFetchRequestData data = new OffsetFetchRequestData()
                .setGroupId("g")
                .setRequireStable(requireStable)
                .setTopics(List.of(new OffsetFetchRequestTopic().setName("t").setPartitionIndexes(List.of(0, 1))));
        OffsetFetchResponseData response = call(
                ApiKeys.OFFSET_FETCH, (short) 7, data, r -> offsetHandlers().offsetFetch(r.context()));
        assertThat(response.errorCode()).isZero();
        return response.topics().get(0).partitions();
    }

    private List<OffsetFetchResponsePartitions> fetchV8(boolean requireStable, boolean allTopics) throws Exception {
        OffsetFetchRequestData data = new OffsetFetchRequestData()
                .setRequireStable(requireStable)
                .setGroups(List.of(new OffsetFetchRequestGroup()
                        .setGroupId("g")
                        .setTopics(
                                allTopics
                                        ? null
                                        : List.of(new OffsetFetchRequestTopics()
                                                .setName("t")
                                                .setPartitionIndexes(List.of(0, 1))))));
        OffsetFetchResponseData response = call(
                ApiKeys.OFFSET_FETCH, (short) 8, data, r -> offsetHandlers().offsetFetch(r.context()));
        return response.groups().get(0).topics().get(0).partitions();
    }

    /** Partition 0 committed at 5; then a transaction writes 10 and 11 to partitions 0 and 1, pending. */
    private void committedThenPending() throws Exception {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        offsets.commit("g", Map.of(new TopicPartition("t", 0), new CommittedOffset(5, 1, "c", 1)), done::complete);
        assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        assertThat(errors(commit(request("g", (short) 3), (short) 3))).containsOnly(Errors.NONE);
    }

    @Test
    void shouldAnswerUnstableOffsetCommitToRequireStableV7UntilTheTransactionCompletes() throws Exception {
        committedThenPending();

        assertThat(fetchV7(true))
                .extracting(p -> Errors.forCode(p.errorCode()), OffsetFetchResponsePartition::committedOffset)
                .containsExactly(tuple(Errors.UNSTABLE_OFFSET_COMMIT, -1L), tuple(Errors.UNSTABLE_OFFSET_COMMIT, -1L));
        assertThat(fetchV7(false))
                .as("without requireStable: the last committed")
                .extracting(p -> Errors.forCode(p.errorCode()), OffsetFetchResponsePartition::committedOffset)
                .containsExactly(tuple(Errors.NONE, 5L), tuple(Errors.NONE, -1L));

        offsets.completeTransaction(offsetsTopic.partitionOf("g"), PRODUCER_ID, false);

        assertThat(fetchV7(true))
                .as("aborted: stable again, the last committed")
                .extracting(p -> Errors.forCode(p.errorCode()), OffsetFetchResponsePartition::committedOffset)
                .containsExactly(tuple(Errors.NONE, 5L), tuple(Errors.NONE, -1L));
    }

    @Test
    void shouldAnswerUnstableOffsetCommitPerPartitionToRequireStableV8() throws Exception {
        committedThenPending();

        assertThat(fetchV8(true, false))
                .extracting(p -> Errors.forCode(p.errorCode()))
                .containsOnly(Errors.UNSTABLE_OFFSET_COMMIT);
        assertThat(fetchV8(true, true))
                .as("all topics: the committed partition, unstable")
                .extracting(p -> Errors.forCode(p.errorCode()), OffsetFetchResponsePartitions::committedOffset)
                .containsExactly(tuple(Errors.UNSTABLE_OFFSET_COMMIT, -1L));
        assertThat(fetchV8(false, false))
                .extracting(OffsetFetchResponsePartitions::committedOffset)
                .containsExactly(5L, -1L);

        offsets.completeTransaction(offsetsTopic.partitionOf("g"), PRODUCER_ID, true);

        assertThat(fetchV8(true, false))
                .extracting(p -> Errors.forCode(p.errorCode()), OffsetFetchResponsePartitions::committedOffset)
                .containsExactly(tuple(Errors.NONE, 10L), tuple(Errors.NONE, 11L));
    }
}
