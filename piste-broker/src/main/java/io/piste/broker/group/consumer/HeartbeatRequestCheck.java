package io.piste.broker.group.consumer;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.piste.broker.group.StoredStrings;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/** Kafka's checks of a ConsumerGroupHeartbeat request before it touches any group. */
final class HeartbeatRequestCheck {

    private HeartbeatRequestCheck() {}

    /**
     * The error to answer with, or null if the request is well formed.
     *
     * @param clientId the request header's client id, which the member keeps too
     */
    static ApiError check(
            ConsumerGroupHeartbeatRequestData request, short version, String clientId, Assignors assignors) {
        String tooLong = tooLong(request, clientId);
        if (tooLong != null) {
            return invalid(tooLong);
        }
        int epoch = request.memberEpoch();
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return invalid("GroupId can't be empty.");
        }
        if (request.instanceId() != null && request.instanceId().isEmpty()) {
            return invalid("InstanceId can't be empty.");
        }
        if (request.rackId() != null && request.rackId().isEmpty()) {
            return invalid("RackId can't be empty.");
        }
        // From v1 the client chooses its member id (KIP-1082); v0 lets the coordinator choose it at the join.
        boolean memberIdMissing =
                request.memberId() == null || request.memberId().isEmpty();
        if (memberIdMissing && (version >= 1 || epoch != 0)) {
            return invalid("MemberId can't be empty.");
        }
        if (epoch < ConsumerGroupCoordinator.STATIC_LEAVE_EPOCH) {
            return invalid("MemberEpoch is invalid: " + epoch + ".");
        }
        if (epoch == ConsumerGroupCoordinator.STATIC_LEAVE_EPOCH && request.instanceId() == null) {
            return invalid("InstanceId can't be null when leaving the group as a static member.");
        }
        if (epoch == 0) {
            if (request.rebalanceTimeoutMs() < 0) {
                return invalid("RebalanceTimeoutMs must be provided in first request.");
            }
            if (request.topicPartitions() == null || !request.topicPartitions().isEmpty()) {
                return invalid("TopicPartitions must be empty when (re-)joining.");
            }
            if (request.subscribedTopicNames() == null && request.subscribedTopicRegex() == null) {
                return invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            }
        }
        if (request.serverAssignor() != null && assignors.get(request.serverAssignor()) == null) {
            return new ApiError(
                    Errors.UNSUPPORTED_ASSIGNOR, "ServerAssignor " + request.serverAssignor() + " is not supported.");
        }
        if (request.subscribedTopicRegex() != null
                && !request.subscribedTopicRegex().isEmpty()) {
            try {
                Pattern.compile(request.subscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                return new ApiError(
                        Errors.INVALID_REGULAR_EXPRESSION,
                        "SubscribedTopicRegex `" + request.subscribedTopicRegex()
                                + "` is not a valid regular expression: " + e.getDescription() + ".");
            }
        }
        return null;
    }

    /**
     * Every string the member keeps must fit the group's snapshot; checked before the group is touched, as a
     * snapshot that cannot be written would fail every later heartbeat of the group.
     */
    private static String tooLong(ConsumerGroupHeartbeatRequestData request, String clientId) {
        String[][] fields = {
            {"GroupId", request.groupId()},
            {"MemberId", request.memberId()},
            {"InstanceId", request.instanceId()},
            {"RackId", request.rackId()},
            {"SubscribedTopicRegex", request.subscribedTopicRegex()},
            {"ServerAssignor", request.serverAssignor()},
            {"ClientId", clientId},
        };
        for (String[] field : fields) {
            String message = StoredStrings.tooLong(field[0], field[1]);
            if (message != null) {
                return message;
            }
        }
        if (request.subscribedTopicNames() != null) {
            for (String topic : request.subscribedTopicNames()) {
                String message = StoredStrings.tooLong("SubscribedTopicNames", topic);
                if (message != null) {
                    return message;
                }
            }
        }
        return null;
    }

    private static ApiError invalid(String message) {
        return new ApiError(Errors.INVALID_REQUEST, message);
    }
}
