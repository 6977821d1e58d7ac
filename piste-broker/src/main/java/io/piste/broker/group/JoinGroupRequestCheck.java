package io.piste.broker.group;

import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;

/** Checks of a JoinGroup request before it touches any group. Stateless; any thread. */
final class JoinGroupRequestCheck {

    private JoinGroupRequestCheck() {
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
