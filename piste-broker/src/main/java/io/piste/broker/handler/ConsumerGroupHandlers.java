package io.piste.broker.handler;

import io.piste.broker.group.consumer.ConsumerGroupCoordinator;
import io.piste.broker.protocol.RequestContext;
import java.util.function.Predicate;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.Errors;

/** The APIs of the KIP-848 consumer group protocol, ConsumerGroupHeartbeat and ConsumerGroupDescribe. */
final class ConsumerGroupHandlers {

    private final ConsumerGroupCoordinator coordinator;
    private final Predicate<String> coordinates;

    /** @param coordinates whether this node coordinates a group (in a cluster: leads its offsets partition) */
    ConsumerGroupHandlers(ConsumerGroupCoordinator coordinator, Predicate<String> coordinates) {
        this.coordinator = coordinator;
        this.coordinates = coordinates;
    }

    void heartbeat(RequestContext context) {
        ConsumerGroupHeartbeatRequestData request = context.data();
        coordinator.heartbeat(
                request, context.apiVersion(), context.clientId(), GroupHandlers.clientHost(context), context::respond);
    }

    void describe(RequestContext context) {
        ConsumerGroupDescribeRequestData request = context.data();
        ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
        for (String groupId : request.groupIds()) {
            if (groupId == null || groupId.isEmpty()) {
                response.groups()
                        .add(new DescribedGroup()
                                .setGroupId(groupId == null ? "" : groupId)
                                .setErrorCode(Errors.INVALID_GROUP_ID.code())
                                .setErrorMessage("Group id can't be empty."));
            } else if (!coordinates.test(groupId)) {
                response.groups()
                        .add(new DescribedGroup().setGroupId(groupId).setErrorCode(Errors.NOT_COORDINATOR.code()));
            } else {
                response.groups().add(coordinator.describe(groupId));
            }
        }
        context.respond(response);
    }
}
