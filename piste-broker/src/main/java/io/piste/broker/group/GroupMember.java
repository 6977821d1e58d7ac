package io.piste.broker.group;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group. Part of its {@link ClassicGroup}'s state: changed only by that group's
 * transitions, under the coordinator's lock.
 */
final class GroupMember {

    final String memberId;
    final String groupInstanceId;
    final String clientId;
    final String clientHost;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    String protocolType;
    /** Protocol name to metadata, in the member's order of preference. */
    Map<String, byte[]> protocols = new LinkedHashMap<>();

    byte[] assignment = new byte[0];
    /** Where the answer to its JoinGroup waiting for the rebalance goes, or null. */
    Consumer<JoinGroupResponseData> awaitingJoin;
    /** Where the answer to its SyncGroup waiting for the leader's assignment goes, or null. */
    Consumer<SyncGroupResponseData> awaitingSync;

    long heartbeatDeadlineMs;
    GroupTimer.Scheduled heartbeatTimer;

    GroupMember(String memberId, String groupInstanceId, String clientId, String clientHost) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    /** Takes what a JoinGroup announces: its protocols and timeouts (a rebalance timeout below 0 is the session's). */
    void updateJoin(JoinGroupRequestData request, Map<String, byte[]> protocols) {
        this.protocols = protocols;
        sessionTimeoutMs = request.sessionTimeoutMs();
        rebalanceTimeoutMs =
                request.rebalanceTimeoutMs() < 0 ? request.sessionTimeoutMs() : request.rebalanceTimeoutMs();
    }

    boolean matches(Map<String, byte[]> other) {
        if (!protocols.keySet().equals(other.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : other.entrySet()) {
            if (!Arrays.equals(protocols.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }
}
