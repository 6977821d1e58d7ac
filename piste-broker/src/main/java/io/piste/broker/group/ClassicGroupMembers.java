package io.piste.broker.group;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The members of one classic group: the members by id (oldest first), the pending members (told MEMBER_ID_REQUIRED
 * and not back yet, each with its expiry timer), the static members' instance ids, and the leader. Keeps them
 * consistent: a member removed loses its session timer, its instance id and, if it led, the leadership (to the
 * oldest member left). Also Kafka's choice of the group's protocol among the members'.
 *
 * <p>Part of its {@link ClassicGroup}'s state; not thread-safe, guarded by the coordinator's lock.
 */
final class ClassicGroupMembers {

    private final Map<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, GroupTimer.Scheduled> pending = new HashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private String leaderId;

    GroupMember get(String memberId) {
        return members.get(memberId);
    }

    boolean contains(String memberId) {
        return members.containsKey(memberId);
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    /** The members, oldest first; a read-only view. */
    Collection<GroupMember> all() {
        return Collections.unmodifiableCollection(members.values());
    }

    String leaderId() {
        return leaderId;
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    /** Makes {@code memberId} the leader; null for none. */
    void setLeader(String memberId) {
        leaderId = memberId;
    }

    /** The oldest member, or null. */
    String oldest() {
        return members.isEmpty() ? null : members.keySet().iterator().next();
    }

    /** The member id that holds a static member's instance id now, or null. */
    String staticMemberId(String groupInstanceId) {
        return staticMembers.get(groupInstanceId);
    }

    /** Gives a static member's instance id to {@code memberId}. */
    void mapStatic(String groupInstanceId, String memberId) {
        staticMembers.put(groupInstanceId, memberId);
    }

    /** Adds the member; the first member of a group without a leader leads it. */
    void add(GroupMember member) {
        members.put(member.memberId, member);
        if (leaderId == null) {
            leaderId = member.memberId;
        }
    }

    /** Removes the member, its session timer, its instance id and its leadership. */
    void remove(GroupMember member) {
        members.remove(member.memberId);
        if (member.heartbeatTimer != null) {
            member.heartbeatTimer.cancel();
            member.heartbeatTimer = null;
        }
        if (member.groupInstanceId != null && member.memberId.equals(staticMembers.get(member.groupInstanceId))) {
            staticMembers.remove(member.groupInstanceId);
        }
        if (member.memberId.equals(leaderId)) {
            leaderId = oldest();
        }
    }

    void addPending(String memberId, GroupTimer.Scheduled expiry) {
        pending.put(memberId, expiry);
    }

    /** Takes a pending member out, cancelling its expiry; false if it was not pending. */
    boolean removePending(String memberId) {
        GroupTimer.Scheduled expiry = pending.remove(memberId);
        if (expiry == null) {
            return false;
        }
        expiry.cancel();
        return true;
    }

    void clearPending() {
        pending.values().forEach(GroupTimer.Scheduled::cancel);
        pending.clear();
    }

    /** No pending member, and every member waits in JoinGroup. */
    boolean allJoined() {
        if (!pending.isEmpty()) {
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
    boolean supportProtocols(String type, String groupProtocolType, Collection<String> protocols) {
        if (members.isEmpty()) {
            return !type.isEmpty() && !protocols.isEmpty();
        }
        if (!type.equals(groupProtocolType)) {
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
     * Whether {@link #selectProtocol} would still choose {@code current} if {@code member} announced {@code protocols}
     * instead: then a returning static member needs no rebalance, even though its metadata (owned partitions,
     * generation) differs from its old incarnation's.
     */
    boolean keepProtocolWith(String current, GroupMember member, Map<String, byte[]> protocols) {
        Map<String, byte[]> previous = member.protocols;
        member.protocols = protocols;
        try {
            return current != null && current.equals(selectProtocol());
        } finally {
            member.protocols = previous;
        }
    }

    /**
     * Kafka's choice: each member votes for the first of its protocols that every member supports; the most votes
     * win, a tie going to the candidate listed first by the oldest member. Only for a group with members.
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
