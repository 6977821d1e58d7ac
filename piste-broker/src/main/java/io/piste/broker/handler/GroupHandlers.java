package io.piste.broker.handler;

import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.GroupOffsets;
import io.piste.broker.group.OffsetsTopic;
import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.txn.TransactionStateTopic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

/**
 * The group APIs of the classic protocol and the admin APIs on groups, translated to {@link GroupCoordinator}
 * calls. This node coordinates every group.
 */
final class GroupHandlers {

    private final BrokerContext broker;
    private final GroupRouter groups;
    private final GroupCoordinator coordinator;
    private final GroupOffsets offsets;
    private final Predicate<String> coordinates;

    /** @param coordinates whether this node coordinates a group (in a cluster: leads its offsets partition) */
    GroupHandlers(BrokerContext broker, GroupRouter groups, GroupOffsets offsets, Predicate<String> coordinates) {
        this.coordinates = coordinates;
        this.broker = broker;
        this.groups = groups;
        this.coordinator = groups.classic();
        this.offsets = offsets;
    }

    void findCoordinator(RequestContext context) {
        FindCoordinatorRequestData request = context.data();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        byte keyType = request.keyType();
        if (context.apiVersion() < 4) {
            Coordinator found = locate(keyType, request.key());
            response.setErrorCode(found.errorCode())
                    .setNodeId(found.nodeId())
                    .setHost(found.host())
                    .setPort(found.port());
            if (found.errorCode() != Errors.NONE.code()) {
                response.setErrorMessage(coordinatorMessage(keyType, Errors.forCode(found.errorCode())));
            }
        } else {
            for (String key : request.coordinatorKeys()) {
                response.coordinators().add(locate(keyType, key));
            }
        }
        context.respond(response);
    }

    /**
     * The coordinator of {@code key}: in a cluster the leader of the key's partition of {@code __consumer_offsets}
     * or {@code __transaction_state} (the topic created at the first such request, as Kafka's), this node when it
     * leads it; {@code COORDINATOR_NOT_AVAILABLE} while the partition has no leader.
     */
    private Coordinator locate(byte keyType, String key) {
        Coordinator found =
                new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        boolean internal = keyType == CoordinatorType.GROUP.id() || keyType == CoordinatorType.TRANSACTION.id();
        if (internal
                && key != null
                && !key.isEmpty()
                && Assignments.isCluster(broker.controller().image())) {
            int leader;
            try {
                leader = leaderOf(keyType, key);
            } catch (IOException | ApiException e) {
                return found.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
            }
            if (leader != broker.nodeId()) {
                LiveBrokers.Address address =
                        LiveBrokers.find(broker, broker.controller().image(), leader);
                return address == null
                        ? found.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                        : found.setNodeId(address.nodeId())
                                .setHost(address.host())
                                .setPort(address.port());
            }
        }
        Errors error = coordinatorError(keyType, key);
        if (error != Errors.NONE) {
            return found.setErrorCode(error.code());
        }
        return found.setNodeId(broker.nodeId()).setHost(broker.advertisedHost()).setPort(broker.advertisedPort());
    }

    /** The leader of the key's partition of its internal topic, -1 for none; the topic created if missing. */
    private int leaderOf(byte keyType, String key) throws IOException {
        boolean group = keyType == CoordinatorType.GROUP.id();
        TopicImage topic = group
                ? broker.coordinatorTopics().offsets()
                : broker.coordinatorTopics().transactions();
        int index = group
                ? OffsetsTopic.partitionIndex(key, topic.partitionCount())
                : TransactionStateTopic.partitionFor(key, topic.partitionCount());
        PartitionImage state = Assignments.partition(broker.controller().image(), topic, index, broker.nodeId());
        return state == null ? -1 : state.leader();
    }

    /** No transaction coordinator yet; a group's only while its offsets partition is online. */
    private Errors coordinatorError(byte keyType, String key) {
        if (keyType == CoordinatorType.GROUP.id()) {
            // as Kafka: the leader is the coordinator while it loads too; the group's requests say it is loading
            Errors error = GroupAvailability.of(broker, key);
            return error == Errors.COORDINATOR_LOAD_IN_PROGRESS ? Errors.NONE : error;
        }
        if (keyType == CoordinatorType.TRANSACTION.id()) {
            if (key == null || key.isEmpty()) {
                return Errors.INVALID_REQUEST;
            }
            // this node leads the id's partition (or is a single node): loading it until it coordinates the id
            Errors coordination = broker.transactionCoordinator().coordination(key);
            return coordination == Errors.NOT_COORDINATOR ? Errors.COORDINATOR_LOAD_IN_PROGRESS : coordination;
        }
        // share groups (KIP-932) are not served
        return Errors.COORDINATOR_NOT_AVAILABLE;
    }

    private static String coordinatorMessage(byte keyType, Errors error) {
        if (keyType == CoordinatorType.GROUP.id()) {
            return "The group's partition of __consumer_offsets is offline";
        }
        if (keyType == CoordinatorType.TRANSACTION.id()) {
            return error == Errors.INVALID_REQUEST
                    ? "A transactional id must not be empty"
                    : "The transaction coordinator is loading __transaction_state";
        }
        return "Piste does not serve share groups";
    }

    void joinGroup(RequestContext context) {
        JoinGroupRequestData request = context.data();
        groups.joinGroup(request, context.apiVersion(), context.clientId(), clientHost(context), context::respond);
    }

    static String clientHost(RequestContext context) {
        if (context.clientAddress() instanceof InetSocketAddress address && address.getAddress() != null) {
            return address.getAddress().toString();
        }
        return String.valueOf(context.clientAddress());
    }

    void syncGroup(RequestContext context) {
        SyncGroupRequestData request = context.data();
        coordinator.syncGroup(request, context::respond);
    }

    void heartbeat(RequestContext context) {
        HeartbeatRequestData request = context.data();
        context.respond(new HeartbeatResponseData()
                .setErrorCode(coordinator.heartbeat(request).code()));
    }

    void leaveGroup(RequestContext context) {
        LeaveGroupRequestData request = context.data();
        LeaveGroupResponseData response = new LeaveGroupResponseData();
        if (context.apiVersion() < 3) {
            response.setErrorCode(coordinator
                    .leaveGroup(request.groupId(), request.memberId(), null)
                    .code());
        } else {
            for (MemberIdentity member : request.members()) {
                Errors error = coordinator.leaveGroup(request.groupId(), member.memberId(), member.groupInstanceId());
                response.members()
                        .add(new MemberResponse()
                                .setMemberId(member.memberId())
                                .setGroupInstanceId(member.groupInstanceId())
                                .setErrorCode(error.code()));
            }
        }
        context.respond(response);
    }

    void listGroups(RequestContext context) {
        ListGroupsRequestData request = context.data();
        ListGroupsResponseData response = new ListGroupsResponseData();
        response.setGroups(groups.listGroups(request.statesFilter(), request.typesFilter()));
        context.respond(response);
    }

    void describeGroups(RequestContext context) {
        DescribeGroupsRequestData request = context.data();
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (String groupId : request.groups()) {
            if (!coordinates.test(groupId)) {
                response.groups()
                        .add(new DescribedGroup()
                                .setGroupId(groupId)
                                .setErrorCode(Errors.NOT_COORDINATOR.code())
                                .setGroupState("")
                                .setProtocolType("")
                                .setProtocolData(""));
                continue;
            }
            boolean consumerGroup = groups.isConsumerGroup(groupId);
            // Kafka describes only classic groups here; a consumer group is described by ConsumerGroupDescribe.
            DescribedGroup described = consumerGroup
                    ? new DescribedGroup()
                            .setGroupId(groupId)
                            .setGroupState("Dead")
                            .setProtocolType("")
                            .setProtocolData("")
                    : coordinator.admin().describeGroup(groupId);
            if (context.apiVersion() >= 6 && "Dead".equals(described.groupState())) {
                // KIP-1043: from v6 an unknown group is an error, not a Dead group.
                described
                        .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                        .setErrorMessage(
                                "Group " + groupId + (consumerGroup ? " is not a classic group." : " not found."));
            }
            response.groups().add(described);
        }
        context.respond(response);
    }

    void deleteGroups(RequestContext context) {
        DeleteGroupsRequestData request = context.data();
        DeleteGroupsResponseData response = new DeleteGroupsResponseData();
        List<String> groupIds = request.groupsNames();
        if (groupIds.isEmpty()) {
            context.respond(response);
            return;
        }
        AtomicInteger remaining = new AtomicInteger(groupIds.size());
        for (String groupId : groupIds) {
            DeletableGroupResult result = new DeletableGroupResult().setGroupId(groupId);
            Errors error = coordinates.test(groupId) ? groups.deleteGroup(groupId) : Errors.NOT_COORDINATOR;
            if (error == Errors.GROUP_ID_NOT_FOUND && offsets.hasOffsets(groupId)) {
                error = Errors.NONE;
            }
            if (error != Errors.NONE) {
                synchronized (response) {
                    response.results().add(result.setErrorCode(error.code()));
                }
                if (remaining.decrementAndGet() == 0) {
                    context.respond(response);
                }
                continue;
            }
            offsets.deleteGroup(groupId, written -> {
                synchronized (response) {
                    response.results().add(result.setErrorCode(written.code()));
                }
                if (remaining.decrementAndGet() == 0) {
                    context.respond(response);
                }
            });
        }
    }
}
