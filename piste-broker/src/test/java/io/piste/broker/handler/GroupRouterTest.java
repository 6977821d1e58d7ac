package io.piste.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.piste.broker.group.GroupConfig;
import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.GroupTimer;
import io.piste.broker.group.OtherThreadProbe;
import io.piste.broker.group.consumer.ConsumerGroupConfig;
import io.piste.broker.group.consumer.ConsumerGroupCoordinator;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.protocol.RequestContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group handlers in front of both coordinators: each group id answered by the coordinator of its type. */
class GroupRouterTest {

    @TempDir
    Path dir;

    private final GroupTimer classicTimer = GroupTimer.system();
    private final GroupTimer consumerTimer = GroupTimer.system();
    private LocalController controller;
    private GroupCoordinator classic;
    private ConsumerGroupCoordinator consumer;
    private GroupRouter router;
    private GroupHandlers handlers;

    @BeforeEach
    void setUp() throws Exception {
        controller = LocalController.open(dir.resolve("metadata"));
        controller.createTopic("t", 2, Map.of());
        classic = new GroupCoordinator(GroupConfig.KAFKA_DEFAULTS, classicTimer);
        consumer = new ConsumerGroupCoordinator(
                ConsumerGroupConfig.KAFKA_DEFAULTS,
                consumerTimer,
                controller::image,
                groupId -> classic.admin().deleteGroup(groupId) != Errors.NON_EMPTY_GROUP);
        router = new GroupRouter(classic, consumer);
        handlers = new GroupHandlers(null, router, null, groupId -> true);
        AtomicReference<ConsumerGroupHeartbeatResponseData> joined = new AtomicReference<>();
        consumer.heartbeat(
                new ConsumerGroupHeartbeatRequestData()
                        .setGroupId("new")
                        .setMemberId("m")
                        .setMemberEpoch(0)
                        .setRebalanceTimeoutMs(30_000)
                        .setSubscribedTopicNames(List.of("t"))
                        .setTopicPartitions(List.of()),
                (short) 1,
                "client",
                "/127.0.0.1",
                joined::set);
        assertThat(joined.get().errorCode()).isZero();
        classic.admin().ensureGroup("old");
    }

    @AfterEach
    void tearDown() throws Exception {
        consumer.close();
        classic.close();
        controller.close();
    }

    private static <T extends ApiMessage> T call(
            ApiKeys api, short version, AbstractRequest request, Consumer<RequestContext> handler) {
        AtomicReference<ApiMessage> answer = new AtomicReference<>();
        handler.accept(new RequestContext(
                new RequestHeader(api, version, "client", 1),
                request,
                new InetSocketAddress("127.0.0.1", 5555),
                null,
                answer::set));
        @SuppressWarnings("unchecked")
        T response = (T) answer.get();
        return response;
    }

    private DescribeGroupsResponseData.DescribedGroup describeGroups(String groupId, short version) {
        DescribeGroupsResponseData response = call(
                ApiKeys.DESCRIBE_GROUPS,
                version,
                new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData().setGroups(List.of(groupId)))
                        .build(version),
                handlers::describeGroups);
        return response.groups().get(0);
    }

    @Test
    void shouldDescribeAConsumerGroupWithDescribeGroupsAsKafka4Does() {
        DescribeGroupsResponseData.DescribedGroup v6 = describeGroups("new", (short) 6);
        assertThat(Errors.forCode(v6.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(v6.errorMessage()).isEqualTo("Group new is not a classic group.");

        DescribeGroupsResponseData.DescribedGroup v5 = describeGroups("new", (short) 5);
        assertThat(v5.errorCode()).isZero();
        assertThat(v5.groupState()).isEqualTo("Dead");

        assertThat(describeGroups("old", (short) 6).groupState()).isEqualTo("Empty");
    }

    @Test
    void shouldListBothTypesAndFilterByType() {
        assertThat(list(List.of()))
                .extracting(ListedGroup::groupId, ListedGroup::groupType)
                .containsExactlyInAnyOrder(tuple("new", "consumer"), tuple("old", "classic"));
        assertThat(list(List.of("Consumer"))).extracting(ListedGroup::groupId).containsExactly("new");
        assertThat(list(List.of("classic"))).extracting(ListedGroup::groupId).containsExactly("old");
    }

    private List<ListedGroup> list(List<String> types) {
        ListGroupsResponseData response = call(
                ApiKeys.LIST_GROUPS,
                (short) 5,
                new ListGroupsRequest.Builder(new ListGroupsRequestData().setTypesFilter(types)).build((short) 5),
                handlers::listGroups);
        return response.groups();
    }

    /** A classic join runs under the consumer coordinator's lock (the group id is claimed); its answer comes after. */
    @Test
    void shouldAnswerAClassicJoinOutsideBothCoordinatorsLocks() {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        List<Boolean> gotIn = new ArrayList<>();
        List<Errors> answers = new ArrayList<>();
        try (OtherThreadProbe probe = new OtherThreadProbe()) {
            router.joinGroup(
                    new JoinGroupRequestData()
                            .setGroupId("fresh")
                            .setMemberId("")
                            .setProtocolType("consumer")
                            .setSessionTimeoutMs(10_000)
                            .setRebalanceTimeoutMs(10_000)
                            .setProtocols(protocols),
                    (short) 9,
                    "client",
                    "/127.0.0.1",
                    joined -> {
                        answers.add(Errors.forCode(joined.errorCode()));
                        gotIn.add(probe.getsIn(() -> consumer.isConsumerGroup("fresh")));
                        gotIn.add(probe.getsIn(() -> classic.heartbeat(new HeartbeatRequestData()
                                .setGroupId("fresh")
                                .setMemberId("nobody")
                                .setGenerationId(1))));
                    });
        }

        assertThat(answers).containsExactly(Errors.MEMBER_ID_REQUIRED);
        assertThat(gotIn).as("consumer coordinator, classic coordinator").containsExactly(true, true);
    }

    @Test
    void shouldRefuseAClassicJoinOfAnActiveConsumerGroupAndRouteCommitChecks() {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        AtomicReference<JoinGroupResponseData> joined = new AtomicReference<>();
        router.joinGroup(
                new JoinGroupRequestData()
                        .setGroupId("new")
                        .setMemberId("")
                        .setProtocolType("consumer")
                        .setSessionTimeoutMs(10_000)
                        .setRebalanceTimeoutMs(10_000)
                        .setProtocols(protocols),
                (short) 9,
                "client",
                "/127.0.0.1",
                joined::set);
        assertThat(Errors.forCode(joined.get().errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);

        assertThat(router.validateOffsetCommit("new", 1, "m", null, (short) 9, Map.of()))
                .isEqualTo(Errors.NONE);
        assertThat(router.validateOffsetCommit("new", 1, "m", null, (short) 8, Map.of()))
                .isEqualTo(Errors.UNSUPPORTED_VERSION);
        assertThat(router.validateOffsetCommit("new", 7, "m", null, (short) 9, Map.of()))
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(router.validateOffsetCommit("old", -1, "", null, (short) 9, Map.of()))
                .as("classic, simple commit")
                .isEqualTo(Errors.NONE);
        router.ensureGroup("new");
        assertThat(list(List.of("classic"))).extracting(ListedGroup::groupId).containsExactly("old");
    }
}
