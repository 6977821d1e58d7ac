package io.piste.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;

/**
 * The membership of one classic group: state, generation, leader, chosen protocol, and the members and pending
 * members (those told MEMBER_ID_REQUIRED and not back yet). Guarded by the coordinator's lock.
 */
final class ClassicGroup {

    final String groupId;
    GroupState state = GroupState.EMPTY;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    final Map<String, GroupMember> members = new LinkedHashMap<>();
    final Map<String, GroupTimer.Scheduled> pendingMembers = new HashMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    /** The delayed join that completes the rebalance in progress, if any. */
    GroupTimer.Scheduled joinTimer;
    /** While the initial rebalance delay runs, joins do not complete the rebalance early. */
    boolean initialDelay;
    long rebalanceDeadlineMs;
    /** When the group last became Empty, or -1 if unknown (a group restored or known only by its offsets). */
    long emptySinceMs = -1;

    ClassicGroup(String groupId) {
        this.groupId = groupId;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    boolean hasAllMembersJoined() {
        if (!pendingMembers.isEmpty()) {
            return false;
        }
        for (GroupMember m : members.values()) {
            if (!m.isAwaitingJoin()) {
                return false;
            }
        }
        return true;
    }

    int maxRebalanceTimeoutMs() {
        int max = 0;
        for (GroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    /** True if every member supports at least one of {@code protocols} (a group with no members supports all). */
    boolean supportsProtocols(String type, Set<String> protocols) {
        if (members.isEmpty()) {
            return !type.isEmpty() && !protocols.isEmpty();
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        for (String p : protocols) {
            if (members.values().stream().allMatch(m -> m.protocols.containsKey(p))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the group would still select its current protocol if {@code member} announced {@code protocols}
     * instead: then a returning static member needs no rebalance, even though its metadata (owned partitions,
     * generation) differs from its old incarnation's.
     */
    boolean keepsProtocolWith(GroupMember member, Map<String, byte[]> protocols) {
        Map<String, byte[]> previous = member.protocols;
        member.protocols = protocols;
        try {
            return protocolName != null && protocolName.equals(selectProtocol());
        } finally {
            member.protocols = previous;
        }
    }

    /**
     * Kafka's choice: each member votes for the first of its protocols that every member supports; the most votes
     * win, a tie going to the candidate listed first by the oldest member.
     */
    String selectProtocol() {
        Map<String, Integer> votes = new LinkedHashMap<>();
        GroupMember any = members.values().iterator().next();
        for (String candidate : any.protocols.keySet()) {
            if (members.values().stream().allMatch(m -> m.protocols.containsKey(candidate))) {
                votes.put(candidate, 0);
            }
        }
        for (GroupMember m : members.values()) {
            for (String p : m.protocols.keySet()) {
                if (votes.containsKey(p)) {
                    votes.merge(p, 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /** The group's membership record, as of {@code nowMs}. */
    GroupRecord toRecord(long nowMs) {
        List<GroupRecord.Member> stored = new ArrayList<>();
        for (GroupMember m : members.values()) {
            byte[] subscription = protocolName == null ? null : m.protocols.get(protocolName);
            stored.add(new GroupRecord.Member(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                m.sessionTimeoutMs, m.rebalanceTimeoutMs, subscription == null ? new byte[0] : subscription,
                m.assignment));
        }
        return new GroupRecord(protocolType, generationId, protocolName, leaderId, nowMs, stored);
    }

    /** A group as its record left it: Stable with its members, or Empty. Members' timers are not set. */
    static ClassicGroup fromRecord(String groupId, GroupRecord record) {
        ClassicGroup group = new ClassicGroup(groupId);
        group.protocolType = record.protocolType();
        group.generationId = record.generationId();
        if (record.members().isEmpty() || record.protocolName() == null) {
            group.emptySinceMs = record.stateTimestampMs();
            return group;
        }
        group.protocolName = record.protocolName();
        group.leaderId = record.leaderId();
        group.state = GroupState.STABLE;
        for (GroupRecord.Member stored : record.members()) {
            GroupMember m = new GroupMember(stored.memberId(), stored.groupInstanceId(), stored.clientId(),
                stored.clientHost());
            m.protocolType = record.protocolType();
            m.sessionTimeoutMs = stored.sessionTimeoutMs();
            m.rebalanceTimeoutMs = stored.rebalanceTimeoutMs();
            m.protocols = new LinkedHashMap<>(Map.of(record.protocolName(), stored.subscription()));
            m.assignment = stored.assignment();
            group.members.put(m.memberId, m);
            if (m.groupInstanceId != null) {
                group.staticMembers.put(m.groupInstanceId, m.memberId);
            }
        }
        return group;
    }

    /** The group as ListGroups shows it. */
    ListedGroup listing() {
        return new ListedGroup()
            .setGroupId(groupId)
            .setProtocolType(protocolType == null ? "" : protocolType)
            .setGroupState(state.kafkaName)
            .setGroupType("classic");
    }

    /** The group as DescribeGroups shows it: members' metadata and assignments only once Stable, as Kafka. */
    DescribedGroup describe() {
        boolean stable = is(GroupState.STABLE);
        DescribedGroup described = new DescribedGroup().setGroupId(groupId)
            .setGroupState(state.kafkaName)
            .setProtocolType(protocolType == null ? "" : protocolType)
            .setProtocolData(stable && protocolName != null ? protocolName : "");
        for (GroupMember m : members.values()) {
            byte[] metadata = stable ? m.protocols.get(protocolName) : null;
            described.members().add(new DescribedGroupMember()
                .setMemberId(m.memberId)
                .setGroupInstanceId(m.groupInstanceId)
                .setClientId(m.clientId)
                .setClientHost(m.clientHost)
                .setMemberMetadata(metadata == null ? new byte[0] : metadata)
                .setMemberAssignment(stable ? m.assignment : new byte[0]));
        }
        return described;
    }
}
