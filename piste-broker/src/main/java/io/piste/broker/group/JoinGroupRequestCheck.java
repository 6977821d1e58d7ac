package io.piste.broker.group;

import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks of a JoinGroup request before it touches any group. Stateless; any thread. */
final class JoinGroupRequestCheck {

    private static final Logger LOG = LoggerFactory.getLogger(JoinGroupRequestCheck.class);

    private JoinGroupRequestCheck() {}

    /**
     * NONE, or the error the join gets: INVALID_GROUP_ID without a group id, INVALID_REQUEST for a string too long
     * for the membership record (logged), INVALID_SESSION_TIMEOUT for a session timeout outside the broker's range.
     */
    static Errors check(JoinGroupRequestData request, String clientId, GroupConfig config) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        String tooLong = tooLongForRecord(request, clientId);
        if (tooLong != null) {
            LOG.warn(
                    "Refused a JoinGroup of group {} from client {}: {}",
                    StoredStrings.abbreviated(groupId),
                    StoredStrings.abbreviated(clientId),
                    tooLong);
            return Errors.INVALID_REQUEST;
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return Errors.INVALID_SESSION_TIMEOUT;
        }
        return Errors.NONE;
    }

    /**
     * Why a string of the join would not fit the group's membership record ({@link StoredStrings}), or null: a
     * member that cannot be written would fail every later write of its group. The member id is not checked: the
     * coordinator makes it, from a bounded prefix of the client id.
     */
    static String tooLongForRecord(JoinGroupRequestData request, String clientId) {
        String tooLong = StoredStrings.tooLong("ClientId", clientId);
        if (tooLong == null) {
            tooLong = StoredStrings.tooLong("GroupInstanceId", request.groupInstanceId());
        }
        if (tooLong == null) {
            tooLong = StoredStrings.tooLong("ProtocolType", request.protocolType());
        }
        for (JoinGroupRequestProtocol protocol : request.protocols()) {
            if (tooLong == null) {
                tooLong = StoredStrings.tooLong("Protocol name", protocol.name());
            }
        }
        return tooLong;
    }
}
