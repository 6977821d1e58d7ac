package io.piste.broker.group;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The JoinGroup and SyncGroup answers of a classic group, built from its state at the time (so an answer sent after
 * the lock is released still reports the state it was given in). Called under the coordinator's lock.
 */
final class ClassicGroupResponses {

    private ClassicGroupResponses() {}

    /** A successful join; {@code withMembers} for the leader, which computes the assignment from them. */
    static JoinGroupResponseData joinResponse(ClassicGroup group, GroupMember member, boolean withMembers) {
        JoinGroupResponseData response = new JoinGroupResponseData()
                .setGenerationId(group.generationId())
                .setProtocolType(group.protocolType())
                .setProtocolName(group.protocolName())
                .setLeader(group.leaderId())
                .setMemberId(member.memberId);
        if (withMembers) {
            for (GroupMember m : group.members()) {
                response.members()
                        .add(new JoinGroupResponseMember()
                                .setMemberId(m.memberId)
                                .setGroupInstanceId(m.groupInstanceId)
                                .setMetadata(m.protocols.get(group.protocolName())));
            }
        }
        return response;
    }

    static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData()
                .setErrorCode(error.code())
                .setGenerationId(-1)
                .setProtocolName("")
                .setLeader("")
                .setMemberId(memberId == null ? "" : memberId);
    }

    static SyncGroupResponseData syncResponse(ClassicGroup group, GroupMember member) {
        return new SyncGroupResponseData()
                .setProtocolType(group.protocolType())
                .setProtocolName(group.protocolName())
                .setAssignment(member.assignment);
    }

    static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }
}
