package io.piste.broker.group;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
}
