package io.piste.broker.group;

import static io.piste.broker.group.ClassicGroupResponses.joinError;
import static io.piste.broker.group.ClassicGroupResponses.joinResponse;
import static io.piste.broker.group.ClassicGroupResponses.syncError;
import static io.piste.broker.group.ClassicGroupResponses.syncResponse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One classic group and the transitions of Kafka's state machine:
 *
 * <pre>
 *   Empty --join--> PreparingRebalance --all joined or rebalance timeout--> CompletingRebalance
 *     ^                 ^    |                                                   |
 *     |                 |    +--no member left--> Empty                          | leader's assignment written
 *     |                 +--join, leave, session expiry------- Stable <-----------+
 * </pre>
 *
 * <p>The group owns its state: the coordinator reads it and calls the transitions, which keep members, pending
 * members (told MEMBER_ID_REQUIRED and not back yet), static members, leader and timers consistent. A transition
 * that answers a waiting JoinGroup or SyncGroup adds the answer to the caller's {@link DeferredResponses}.
 *
 * <p>Not thread-safe: guarded by the coordinator's lock; the timers it schedules come back through that lock.
 */
final class ClassicGroup {

    /**
     * What a group needs from its coordinator: the clock, the settings, timers whose tasks come back through the
     * coordinator's lock (by group id: the group may be gone by then), and the writing of its membership record.
     */
    interface Coordination {
        long nowMs();

        int initialRebalanceDelayMs();

        GroupTimer.Scheduled scheduleJoinTimeout(String groupId, int generationId, long delayMs);

        GroupTimer.Scheduled scheduleSessionTimeout(String groupId, GroupMember member, long delayMs);

        GroupTimer.Scheduled schedulePendingMemberTimeout(String groupId, String memberId, long delayMs);

        /** Writes the group's membership record; nobody waits for it. */
        void writeMembership(ClassicGroup group);
    }

    private final String groupId;
    private final Coordination coordination;
    private GroupState state = GroupState.EMPTY;
    private int generationId;
    private String protocolType;
    private String protocolName;
    private final ClassicGroupMembers members = new ClassicGroupMembers();
    /** The delayed join that completes the rebalance in progress, if any. */
    private GroupTimer.Scheduled joinTimer;
    /** While the initial rebalance delay runs, joins do not complete the rebalance early. */
    private boolean initialDelay;

    private long rebalanceDeadlineMs;
    /** When the group last became Empty, or -1 if unknown (a group restored or known only by its offsets). */
    private long emptySinceMs = -1;

    ClassicGroup(String groupId, Coordination coordination) {
        this.groupId = groupId;
        this.coordination = coordination;
    }

    // ---------------------------------------------------------------- reads

    String groupId() {
        return groupId;
    }

    GroupState state() {
        return state;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    int generationId() {
        return generationId;
    }

    String protocolType() {
        return protocolType;
    }

    String protocolName() {
        return protocolName;
    }

    String leaderId() {
        return members.leaderId();
    }

    boolean isLeader(String memberId) {
        return members.isLeader(memberId);
    }

    GroupMember member(String memberId) {
        return members.get(memberId);
    }

    /** The members, oldest first; a read-only view. */
    Collection<GroupMember> members() {
        return members.all();
    }

    /** The member id that holds a static member's instance id now, or null. */
    String staticMemberId(String groupInstanceId) {
        return members.staticMemberId(groupInstanceId);
    }

    long emptySinceMs() {
        return emptySinceMs;
    }

    /**
     * Kafka's checks of a member's request: a static member's replaced incarnation is fenced (KIP-345), then
     * unknown member, then stale generation.
     */
    Errors checkMember(String memberId, String groupInstanceId, int generation) {
        if (is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (groupInstanceId != null) {
            String current = members.staticMemberId(groupInstanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!current.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (members.get(memberId) == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return generation != generationId ? Errors.ILLEGAL_GENERATION : Errors.NONE;
    }

    /** True if every member supports at least one of {@code protocols} (a group with no members supports all). */
    boolean supportsProtocols(String type, Collection<String> protocols) {
        return members.supportProtocols(type, protocolType, protocols);
    }

    /** Whether a returning static member announcing {@code protocols} would keep the group's protocol. */
    boolean keepsProtocolWith(GroupMember member, Map<String, byte[]> protocols) {
        return members.keepProtocolWith(protocolName, member, protocols);
    }

    // ---------------------------------------------------------------- JoinGroup

    /** KIP-394: a new member must come back with its id within its session timeout, or it is forgotten. */
    void addPendingMember(String memberId, int sessionTimeoutMs) {
        members.addPending(memberId, coordination.schedulePendingMemberTimeout(groupId, memberId, sessionTimeoutMs));
    }

    /** Takes a pending member out as it comes back (it joins next); false if it was not pending. */
    boolean removePendingMember(String memberId) {
        return members.removePending(memberId);
    }

    /**
     * A pending member leaves or did not come back in time: the rebalance no longer waits for it. False if it was
     * not pending.
     */
    boolean forgetPendingMember(String memberId, DeferredResponses responses) {
        if (!members.removePending(memberId)) {
            return false;
        }
        maybeCompleteJoin(responses);
        return true;
    }

    /** Gives a static member's instance id to {@code memberId}. */
    void mapStaticMember(String groupInstanceId, String memberId) {
        members.mapStatic(groupInstanceId, memberId);
    }

    /** A new member joins: it waits, with {@code callback}, for the rebalance this starts or joins. */
    void addMember(
            GroupMember member,
            JoinGroupRequestData request,
            Map<String, byte[]> protocols,
            Consumer<JoinGroupResponseData> callback,
            DeferredResponses responses) {
        member.protocolType = request.protocolType();
        member.updateJoin(request, protocols);
        member.awaitingJoin = callback;
        if (members.isEmpty()) {
            protocolType = request.protocolType();
        }
        members.add(member);
        maybePrepareRebalance(responses);
        maybeCompleteJoin(responses);
    }

    /** A member joins again (new metadata, or a new generation): it waits, with {@code callback}, for the rebalance. */
    void rejoin(
            GroupMember member,
            JoinGroupRequestData request,
            Map<String, byte[]> protocols,
            Consumer<JoinGroupResponseData> callback,
            DeferredResponses responses) {
        member.updateJoin(request, protocols);
        // A second join while the first waits: the first is answered as superseded.
        answerJoin(member, joinError(member.memberId, Errors.REBALANCE_IN_PROGRESS), responses);
        member.awaitingJoin = callback;
        maybePrepareRebalance(responses);
        maybeCompleteJoin(responses);
    }

    /**
     * KIP-345: a static member back under a new member id takes its old incarnation's place, which is fenced
     * (FENCED_INSTANCE_ID on its waiting join and sync). The new member keeps the old one's assignment and, if the
     * old one led the group, the leadership. Returns the new member.
     */
    GroupMember replaceStaticMember(
            GroupMember old, String newMemberId, String clientId, String clientHost, DeferredResponses responses) {
        boolean leader = isLeader(old.memberId);
        answerJoin(old, joinError(old.memberId, Errors.FENCED_INSTANCE_ID), responses);
        answerSync(old, syncError(Errors.FENCED_INSTANCE_ID), responses);
        members.remove(old);
        GroupMember member = new GroupMember(newMemberId, old.groupInstanceId, clientId, clientHost);
        member.protocolType = old.protocolType;
        member.assignment = old.assignment;
        members.add(member);
        members.mapStatic(old.groupInstanceId, newMemberId);
        if (leader) {
            members.setLeader(newMemberId);
        }
        return member;
    }

    /** A replacing static member stays without a rebalance: it takes its join's settings and its session starts. */
    void keepWithoutRebalance(GroupMember member, JoinGroupRequestData request, Map<String, byte[]> protocols) {
        member.updateJoin(request, protocols);
        scheduleSessionTimeout(member);
    }

    /**
     * The replacement of {@code old} by {@code member} could not be written: as Kafka, the old incarnation is put
     * back if the group is still Stable in that generation, so the group matches what is on disk.
     */
    void undoStaticReplacement(int generation, GroupMember old, GroupMember member, boolean leader) {
        if (!is(GroupState.STABLE) || generationId != generation) {
            return;
        }
        members.remove(member);
        members.add(old);
        members.mapStatic(old.groupInstanceId, old.memberId);
        if (leader) {
            members.setLeader(old.memberId);
        }
        scheduleSessionTimeout(old);
    }

    private void maybePrepareRebalance(DeferredResponses responses) {
        if (is(GroupState.STABLE) || is(GroupState.COMPLETING_REBALANCE) || is(GroupState.EMPTY)) {
            prepareRebalance(responses);
        }
    }

    private void prepareRebalance(DeferredResponses responses) {
        if (is(GroupState.COMPLETING_REBALANCE)) {
            // The assignment the leader is computing is for a membership that no longer holds.
            for (GroupMember m : members.all()) {
                m.assignment = new byte[0];
                answerSync(m, syncError(Errors.REBALANCE_IN_PROGRESS), responses);
            }
        }
        boolean wasEmpty = is(GroupState.EMPTY);
        state = GroupState.PREPARING_REBALANCE;
        cancelJoinTimer();
        rebalanceDeadlineMs = coordination.nowMs() + members.maxRebalanceTimeoutMs();
        int initialDelayMs = coordination.initialRebalanceDelayMs();
        if (wasEmpty && initialDelayMs > 0) {
            initialDelay = true;
            scheduleJoinTimeout(Math.min(initialDelayMs, members.maxRebalanceTimeoutMs()));
        } else {
            initialDelay = false;
            scheduleJoinTimeout(members.maxRebalanceTimeoutMs());
        }
    }

    private void scheduleJoinTimeout(long delayMs) {
        joinTimer = coordination.scheduleJoinTimeout(groupId, generationId, delayMs);
    }

    private void cancelJoinTimer() {
        if (joinTimer != null) {
            joinTimer.cancel();
            joinTimer = null;
        }
    }

    /** The join timer of {@code generation} ran out: the rebalance completes, unless the initial delay goes on. */
    void onJoinTimeout(int generation, DeferredResponses responses) {
        if (!is(GroupState.PREPARING_REBALANCE) || generationId != generation) {
            return;
        }
        joinTimer = null;
        long remainingMs = rebalanceDeadlineMs - coordination.nowMs();
        if (initialDelay && !members.allJoined() && remainingMs > 0) {
            // Members still joining: keep waiting, up to the rebalance timeout.
            scheduleJoinTimeout(Math.min(coordination.initialRebalanceDelayMs(), remainingMs));
            return;
        }
        initialDelay = false;
        completeJoin(responses);
    }

    private void maybeCompleteJoin(DeferredResponses responses) {
        if (is(GroupState.PREPARING_REBALANCE) && !initialDelay && members.allJoined()) {
            completeJoin(responses);
        }
    }

    /**
     * Ends the join phase: members that did not rejoin are out, the generation moves, and every member is answered
     * (the leader with the members' metadata). Without members the group is Empty, and that is written.
     */
    private void completeJoin(DeferredResponses responses) {
        cancelJoinTimer();
        for (GroupMember m : new ArrayList<>(members.all())) {
            if (!m.isAwaitingJoin()) {
                members.remove(m);
            }
        }
        members.clearPending();
        generationId++;
        if (members.isEmpty()) {
            state = GroupState.EMPTY;
            emptySinceMs = coordination.nowMs();
            protocolName = null;
            members.setLeader(null);
            coordination.writeMembership(this);
            return;
        }
        protocolName = members.selectProtocol();
        if (members.leaderId() == null || !members.contains(members.leaderId())) {
            members.setLeader(members.oldest());
        }
        state = GroupState.COMPLETING_REBALANCE;
        for (GroupMember m : members.all()) {
            answerJoin(m, joinResponse(this, m, isLeader(m.memberId)), responses);
            scheduleSessionTimeout(m);
        }
    }

    private static void answerJoin(GroupMember member, JoinGroupResponseData response, DeferredResponses responses) {
        Consumer<JoinGroupResponseData> waiting = member.awaitingJoin;
        member.awaitingJoin = null;
        if (waiting != null) {
            responses.add(waiting, response);
        }
    }

    // ---------------------------------------------------------------- SyncGroup

    /** A member's SyncGroup in CompletingRebalance: it waits, with {@code callback}, for the leader's assignment. */
    void awaitAssignment(GroupMember member, Consumer<SyncGroupResponseData> callback) {
        member.awaitingSync = callback;
        touchSession(member);
    }

    /** The leader's assignment, by member id; a member it leaves out gets an empty one. */
    void assign(Map<String, byte[]> assignments) {
        for (GroupMember m : members.all()) {
            byte[] assigned = assignments.get(m.memberId);
            m.assignment = assigned == null ? new byte[0] : assigned;
        }
    }

    /**
     * The membership with the assignment of {@code generation} was written ({@code error} NONE: the group is
     * Stable and the waiting members get their assignment) or could not be (they get the error, and the group
     * rebalances). Nothing happens if the group has moved on since.
     */
    void completeAssignment(int generation, Errors error, DeferredResponses responses) {
        if (!is(GroupState.COMPLETING_REBALANCE) || generationId != generation) {
            return;
        }
        if (error != Errors.NONE) {
            for (GroupMember m : members.all()) {
                m.assignment = new byte[0];
                answerSync(m, syncError(error), responses);
            }
            prepareRebalance(responses);
            return;
        }
        state = GroupState.STABLE;
        for (GroupMember m : members.all()) {
            answerSync(m, syncResponse(this, m), responses);
        }
    }

    private static void answerSync(GroupMember member, SyncGroupResponseData response, DeferredResponses responses) {
        Consumer<SyncGroupResponseData> waiting = member.awaitingSync;
        member.awaitingSync = null;
        if (waiting != null) {
            responses.add(waiting, response);
        }
    }

    // ---------------------------------------------------------------- sessions

    /** The member is alive (a heartbeat, a sync, a commit): its session timeout starts again. */
    void touchSession(GroupMember member) {
        member.heartbeatDeadlineMs = coordination.nowMs() + member.sessionTimeoutMs;
        if (member.heartbeatTimer == null) {
            scheduleSessionTimeout(member);
        }
    }

    /** Every member gets a full session timeout from now (a group restored at start-up). */
    void startSessions() {
        for (GroupMember m : members.all()) {
            scheduleSessionTimeout(m);
        }
    }

    private void scheduleSessionTimeout(GroupMember member) {
        member.heartbeatDeadlineMs = coordination.nowMs() + member.sessionTimeoutMs;
        if (member.heartbeatTimer != null) {
            member.heartbeatTimer.cancel();
        }
        member.heartbeatTimer = coordination.scheduleSessionTimeout(groupId, member, member.sessionTimeoutMs);
    }

    /** The member's session timer ran out: it is removed unless it heartbeated since or waits in a rebalance. */
    void onSessionTimeout(GroupMember member, DeferredResponses responses) {
        if (members.get(member.memberId) != member) {
            return;
        }
        member.heartbeatTimer = null;
        long now = coordination.nowMs();
        if (member.isAwaitingJoin()) {
            // Its session is checked again once the rebalance completes (the rebalance timeout bounds the wait).
            return;
        }
        if (now < member.heartbeatDeadlineMs) {
            member.heartbeatTimer =
                    coordination.scheduleSessionTimeout(groupId, member, member.heartbeatDeadlineMs - now);
            return;
        }
        removeMember(member, responses);
    }

    // ---------------------------------------------------------------- leaving

    /** The member leaves or is expired: its waiting requests get UNKNOWN_MEMBER_ID and the others rebalance. */
    void removeMember(GroupMember member, DeferredResponses responses) {
        answerJoin(member, joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID), responses);
        answerSync(member, syncError(Errors.UNKNOWN_MEMBER_ID), responses);
        members.remove(member);
        switch (state) {
            case STABLE, COMPLETING_REBALANCE -> {
                prepareRebalance(responses);
                // The last member gone: nobody to wait for, the group becomes Empty at once.
                maybeCompleteJoin(responses);
            }
            case PREPARING_REBALANCE -> maybeCompleteJoin(responses);
            default -> {}
        }
    }

    /**
     * This node no longer coordinates the group (its partition of {@code __consumer_offsets} is led elsewhere): its
     * timers stop and it is Dead here; members waiting in a join or sync get no answer from it (their request times
     * out and they find the new coordinator).
     */
    void unload() {
        cancelJoinTimer();
        for (GroupMember member : members.all()) {
            if (member.heartbeatTimer != null) {
                member.heartbeatTimer.cancel();
                member.heartbeatTimer = null;
            }
        }
        members.clearPending();
        markDead();
    }

    /** DeleteGroups or offsets expiry: an Empty group is gone. */
    void markDead() {
        state = GroupState.DEAD;
    }

    // ---------------------------------------------------------------- membership record

    /** The group's membership record, as of {@code nowMs}. */
    GroupRecord toRecord(long nowMs) {
        List<GroupRecord.Member> stored = new ArrayList<>();
        for (GroupMember m : members.all()) {
            byte[] subscription = protocolName == null ? null : m.protocols.get(protocolName);
            stored.add(new GroupRecord.Member(
                    m.memberId,
                    m.groupInstanceId,
                    m.clientId,
                    m.clientHost,
                    m.sessionTimeoutMs,
                    m.rebalanceTimeoutMs,
                    subscription == null ? new byte[0] : subscription,
                    m.assignment));
        }
        return new GroupRecord(protocolType, generationId, protocolName, members.leaderId(), nowMs, stored);
    }

    /** A group as its record left it: Stable with its members, or Empty. Members' sessions are not started. */
    static ClassicGroup fromRecord(String groupId, GroupRecord record, Coordination coordination) {
        ClassicGroup group = new ClassicGroup(groupId, coordination);
        group.protocolType = record.protocolType();
        group.generationId = record.generationId();
        if (record.members().isEmpty() || record.protocolName() == null) {
            group.emptySinceMs = record.stateTimestampMs();
            return group;
        }
        group.protocolName = record.protocolName();
        group.state = GroupState.STABLE;
        for (GroupRecord.Member stored : record.members()) {
            GroupMember m = new GroupMember(
                    stored.memberId(), stored.groupInstanceId(), stored.clientId(), stored.clientHost());
            m.protocolType = record.protocolType();
            m.sessionTimeoutMs = stored.sessionTimeoutMs();
            m.rebalanceTimeoutMs = stored.rebalanceTimeoutMs();
            m.protocols = new LinkedHashMap<>(Map.of(record.protocolName(), stored.subscription()));
            m.assignment = stored.assignment();
            group.members.add(m);
            if (m.groupInstanceId != null) {
                group.members.mapStatic(m.groupInstanceId, m.memberId);
            }
        }
        group.members.setLeader(record.leaderId());
        return group;
    }
}
