package io.piste.broker.group.consumer;

import com.google.re2j.Pattern;
import io.piste.broker.group.GroupTimer;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;

/**
 * One member of a consumer group: what it subscribes to and where its reconciliation stands. Guarded by the
 * coordinator's lock.
 */
final class ConsumerGroupMember {

    final String memberId;
    final String instanceId;
    String rackId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    List<String> subscribedTopicNames = List.of();
    String subscribedTopicRegex;
    Pattern subscribedTopicPattern;
    String serverAssignor;
    MemberAssignment assignment = MemberAssignment.NEW_MEMBER;
    /** A static member that left with epoch -2: it keeps its partitions until it rejoins or its session ends. */
    boolean leftStatically;

    long sessionDeadlineMs;
    GroupTimer.Scheduled sessionTimer;
    GroupTimer.Scheduled rebalanceTimer;

    ConsumerGroupMember(String memberId, String instanceId) {
        this.memberId = memberId;
        this.instanceId = instanceId;
    }

    /** The epoch Kafka reports for the member: -2 while a static member is away. */
    int reportedEpoch() {
        return leftStatically ? ConsumerGroupCoordinator.STATIC_LEAVE_EPOCH : assignment.memberEpoch();
    }

    /**
     * Applies the fields a heartbeat sent (null or -1 means unchanged).
     *
     * @return whether the subscription or the server assignor changed, which moves the group to a new epoch
     */
    boolean update(ConsumerGroupHeartbeatRequestData request, String clientId, String clientHost) {
        this.clientId = clientId;
        this.clientHost = clientHost;
        if (request.rackId() != null) {
            rackId = request.rackId();
        }
        if (request.rebalanceTimeoutMs() >= 0) {
            rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        }
        boolean changed = false;
        if (request.subscribedTopicNames() != null
                && !request.subscribedTopicNames().equals(subscribedTopicNames)) {
            subscribedTopicNames = List.copyOf(request.subscribedTopicNames());
            changed = true;
        }
        String regex = request.subscribedTopicRegex();
        if (regex != null && !regex.equals(Objects.requireNonNullElse(subscribedTopicRegex, ""))) {
            // An empty regex clears a regex subscription, as in Kafka.
            subscribedTopicRegex = regex.isEmpty() ? null : regex;
            subscribedTopicPattern = regex.isEmpty() ? null : Pattern.compile(regex);
            changed = true;
        }
        if (request.serverAssignor() != null && !request.serverAssignor().equals(serverAssignor)) {
            serverAssignor = request.serverAssignor();
            changed = true;
        }
        return changed;
    }

    void cancelTimers() {
        if (sessionTimer != null) {
            sessionTimer.cancel();
            sessionTimer = null;
        }
        if (rebalanceTimer != null) {
            rebalanceTimer.cancel();
            rebalanceTimer = null;
        }
    }

    boolean subscribesTo(String topic) {
        return subscribedTopicNames.contains(topic)
                || (subscribedTopicPattern != null
                        && subscribedTopicPattern.matcher(topic).matches());
    }
}
