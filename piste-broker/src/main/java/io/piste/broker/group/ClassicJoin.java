package io.piste.broker.group;

import static io.piste.broker.group.ClassicGroupResponses.joinError;
import static io.piste.broker.group.ClassicGroupResponses.joinResponse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * JoinGroup of a classic group: finds the group (created at the first join) and the member, and picks the
 * transition the join makes: MEMBER_ID_REQUIRED for a new member (KIP-394), a new member, a member joining again,
 * a retried join answered with the current generation, a static member's replacement (KIP-345), or an error.
 *
 * <p>Called by the {@link GroupCoordinator} under the lock of the {@link ClassicGroups}; answers go to the caller's
 * {@link DeferredResponses}.
 */
final class ClassicJoin {

    /** Keeps a member id (client id, '-', UUID) well below the 32767 bytes a protocol string may hold. */
    private static final int MEMBER_ID_PREFIX_MAX_CHARS = 1000;

    private final ClassicGroups groups;
    private final ClassicGroupWriter writer;

    ClassicJoin(ClassicGroups groups, ClassicGroupWriter writer) {
        this.groups = groups;
        this.writer = writer;
    }

    /** A valid JoinGroup, under the lock: it adds its answers (and those of the joins it completes). */
    void join(
            JoinGroupRequestData request,
            short version,
            String clientId,
            String clientHost,
            Consumer<JoinGroupResponseData> callback,
            DeferredResponses responses) {
        String memberId = request.memberId();
        ClassicGroup group = groups.get(request.groupId());
        if (group == null && !memberId.isEmpty()) {
            responses.add(callback, joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        group = groups.getOrCreate(request.groupId());
        if (group.is(GroupState.DEAD)) {
            responses.add(callback, joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        Map<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestProtocol p : request.protocols()) {
            protocols.put(p.name(), p.metadata());
        }
        if (!group.supportsProtocols(request.protocolType(), protocols.keySet())) {
            responses.add(callback, joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        Join join = new Join(group, request, clientId, clientHost, protocols, callback, responses);
        if (memberId.isEmpty()) {
            joinUnknownMember(join, version);
        } else {
            joinKnownMember(join);
        }
    }

    /** One JoinGroup on its way through the coordinator, under the lock. */
    private record Join(
            ClassicGroup group,
            JoinGroupRequestData request,
            String clientId,
            String clientHost,
            Map<String, byte[]> protocols,
            Consumer<JoinGroupResponseData> callback,
            DeferredResponses responses) {

        void answer(JoinGroupResponseData response) {
            responses.add(callback, response);
        }

        void addMember(String memberId, String groupInstanceId) {
            group.addMember(
                    new GroupMember(memberId, groupInstanceId, clientId, clientHost),
                    request,
                    protocols,
                    callback,
                    responses);
        }

        void rejoin(GroupMember member) {
            group.rejoin(member, request, protocols, callback, responses);
        }
    }

    private void joinUnknownMember(Join join, short version) {
        ClassicGroup group = join.group();
        String newMemberId = newMemberId(join.clientId());
        String instanceId = join.request().groupInstanceId();
        if (instanceId != null) {
            String oldId = group.staticMemberId(instanceId);
            GroupMember old = oldId == null ? null : group.member(oldId);
            if (old != null) {
                replaceStaticMember(join, old, newMemberId);
                return;
            }
            group.mapStaticMember(instanceId, newMemberId);
        } else if (version >= 4) {
            // KIP-394: the member must come back with this id, so a lost response cannot leave a ghost member.
            group.addPendingMember(newMemberId, join.request().sessionTimeoutMs());
            join.answer(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
            return;
        }
        join.addMember(newMemberId, instanceId);
    }

    private void joinKnownMember(Join join) {
        ClassicGroup group = join.group();
        String memberId = join.request().memberId();
        String instanceId = join.request().groupInstanceId();
        if (group.removePendingMember(memberId)) {
            join.addMember(memberId, instanceId);
            return;
        }
        String current = instanceId == null ? null : group.staticMemberId(instanceId);
        if (current != null && !memberId.equals(current)) {
            // KIP-345: an older incarnation of a static member that has been replaced.
            join.answer(joinError(memberId, Errors.FENCED_INSTANCE_ID));
            return;
        }
        GroupMember member = group.member(memberId);
        if (member == null) {
            join.answer(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        switch (group.state()) {
            case PREPARING_REBALANCE -> join.rejoin(member);
            case COMPLETING_REBALANCE, STABLE -> {
                boolean unchanged = member.matches(join.protocols());
                boolean leaderInStable = group.is(GroupState.STABLE) && group.isLeader(memberId);
                if (unchanged && !leaderInStable) {
                    // A retried join (its response was lost): answer with the current generation.
                    join.answer(joinResponse(
                            group, member, group.is(GroupState.COMPLETING_REBALANCE) && group.isLeader(memberId)));
                } else {
                    join.rejoin(member);
                }
            }
            default -> join.answer(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /** Kafka's member id: the client id and a UUID; a very long client id is cut so the id stays encodable. */
    private static String newMemberId(String clientId) {
        String prefix = clientId.length() > MEMBER_ID_PREFIX_MAX_CHARS
                ? clientId.substring(0, MEMBER_ID_PREFIX_MAX_CHARS)
                : clientId;
        return prefix + "-" + UUID.randomUUID();
    }

    /**
     * KIP-345: a static member restarting within its session timeout takes its old incarnation's place, which is
     * fenced. In a Stable group whose protocol would not change it keeps the old assignment and the group does not
     * rebalance: it is answered once its new member id is durable (if that write fails, the old incarnation is put
     * back and the join fails), and a returning leader gets the members' metadata with {@code SkipAssignment} set
     * (KIP-814), so it knows the group again without computing a new assignment. Otherwise it takes part in a
     * rebalance under its new id.
     */
    private void replaceStaticMember(Join join, GroupMember old, String newMemberId) {
        ClassicGroup group = join.group();
        boolean leader = group.isLeader(old.memberId);
        boolean withoutRebalance = group.is(GroupState.STABLE) && group.keepsProtocolWith(old, join.protocols());
        GroupMember member =
                group.replaceStaticMember(old, newMemberId, join.clientId(), join.clientHost(), join.responses());
        if (!withoutRebalance) {
            join.rejoin(member);
            return;
        }
        group.keepWithoutRebalance(member, join.request(), join.protocols());
        int generation = group.generationId();
        writer.write(group, join.responses(), (error, responses) -> {
            if (groups.get(group.groupId()) != group || group.member(member.memberId) != member) {
                responses.add(join.callback(), joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID));
            } else if (error == Errors.NONE) {
                responses.add(
                        join.callback(), joinResponse(group, member, leader).setSkipAssignment(leader));
            } else {
                group.undoStaticReplacement(generation, old, member, leader);
                responses.add(join.callback(), joinError(member.memberId, error));
            }
        });
    }
}
