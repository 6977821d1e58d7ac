package io.piste.broker.group;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) for every group, this node being the
 * coordinator of all of them. Each group moves through Kafka's states:
 *
 * <pre>
 *   Empty --join--> PreparingRebalance --all joined or rebalance timeout--> CompletingRebalance
 *     ^                 ^    |                                                   |
 *     |                 |    +--no member left--> Empty                          | leader's SyncGroup
 *     |                 +--join, leave, session expiry------- Stable <-----------+
 * </pre>
 *
 * <p>Answers to JoinGroup and SyncGroup may be held until the rebalance completes; they are given to callbacks,
 * from the calling thread or the timer thread. Thread-safe: one lock guards every group (membership changes are
 * rare next to produce and fetch).
 */
public final class GroupCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);
    /** Keeps a member id (client id, '-', UUID) well below the 32767 bytes a protocol string may hold. */
    private static final int MEMBER_ID_PREFIX_MAX_CHARS = 1000;

    private final GroupConfig config;
    private final GroupTimer timer;
    private final GroupMetadataLog metadataLog;
    private final Map<String, ClassicGroup> groups = new LinkedHashMap<>();

    /** A coordinator that keeps membership in memory only. */
    public GroupCoordinator(GroupConfig config, GroupTimer timer) {
        this(config, timer, GroupMetadataLog.NONE);
    }

    /** @param metadataLog where each group's membership is written when a rebalance completes */
    public GroupCoordinator(GroupConfig config, GroupTimer timer, GroupMetadataLog metadataLog) {
        this.config = config;
        this.timer = timer;
        this.metadataLog = metadataLog;
    }

    public GroupConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- JoinGroup

    public synchronized void joinGroup(JoinGroupRequestData request, short version, String clientId,
                                       String clientHost, Consumer<JoinGroupResponseData> callback) {
        String groupId = request.groupId();
        String memberId = request.memberId();
        if (groupId == null || groupId.isEmpty()) {
            callback.accept(joinError(memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        String tooLong = JoinGroupRequestCheck.tooLongForRecord(request, clientId);
        if (tooLong != null) {
            LOG.warn("Refused a JoinGroup of group {} from client {}: {}", StoredStrings.abbreviated(groupId),
                StoredStrings.abbreviated(clientId), tooLong);
            callback.accept(joinError(memberId, Errors.INVALID_REQUEST));
            return;
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
            || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            callback.accept(joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            if (!memberId.isEmpty()) {
                callback.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
                return;
            }
            group = new ClassicGroup(groupId);
            groups.put(groupId, group);
        }
        if (group.is(GroupState.DEAD)) {
            callback.accept(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        Map<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestProtocol p : request.protocols()) {
            protocols.put(p.name(), p.metadata());
        }
        if (!group.supportsProtocols(request.protocolType(), protocols.keySet())) {
            callback.accept(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        if (memberId.isEmpty()) {
            joinUnknownMember(group, request, version, clientId, clientHost, protocols, callback);
        } else {
            joinKnownMember(group, request, clientId, clientHost, protocols, callback);
        }
    }

    private void joinUnknownMember(ClassicGroup group, JoinGroupRequestData request, short version, String clientId,
                                   String clientHost, Map<String, byte[]> protocols,
                                   Consumer<JoinGroupResponseData> callback) {
        String newMemberId = newMemberId(clientId);
        String instanceId = request.groupInstanceId();
        if (instanceId != null) {
            // A static member coming back under a new member id replaces (fences) its old incarnation.
            GroupMember old = group.members.get(group.staticMembers.getOrDefault(instanceId, ""));
            if (old != null) {
                replaceStaticMember(group, old, newMemberId, request, clientId, clientHost, protocols, callback);
                return;
            }
            group.staticMembers.put(instanceId, newMemberId);
        } else if (version >= 4) {
            // KIP-394: the member must come back with this id, so a lost response cannot leave a ghost member.
            group.pendingMembers.put(newMemberId, timer.schedule(request.sessionTimeoutMs(),
                () -> expirePending(group.groupId, newMemberId)));
            callback.accept(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
            return;
        }
        GroupMember member = new GroupMember(newMemberId, instanceId, clientId, clientHost);
        addMemberAndRebalance(group, member, request, protocols, callback);
    }

    private void joinKnownMember(ClassicGroup group, JoinGroupRequestData request, String clientId, String clientHost,
                                 Map<String, byte[]> protocols, Consumer<JoinGroupResponseData> callback) {
        String memberId = request.memberId();
        GroupTimer.Scheduled pending = group.pendingMembers.remove(memberId);
        if (pending != null) {
            pending.cancel();
            GroupMember member = new GroupMember(memberId, request.groupInstanceId(), clientId, clientHost);
            addMemberAndRebalance(group, member, request, protocols, callback);
            return;
        }
        String instanceId = request.groupInstanceId();
        if (instanceId != null && group.staticMembers.containsKey(instanceId)
            && !memberId.equals(group.staticMembers.get(instanceId))) {
            // KIP-345: an older incarnation of a static member that has been replaced.
            callback.accept(joinError(memberId, Errors.FENCED_INSTANCE_ID));
            return;
        }
        GroupMember member = group.members.get(memberId);
        if (member == null) {
            callback.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        switch (group.state) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(group, member, request, protocols, callback);
            case COMPLETING_REBALANCE, STABLE -> {
                boolean unchanged = member.matches(protocols);
                boolean leaderInStable = group.is(GroupState.STABLE) && memberId.equals(group.leaderId);
                if (unchanged && !leaderInStable) {
                    // A retried join (its response was lost): answer with the current generation.
                    callback.accept(joinResponse(group, member, group.is(GroupState.COMPLETING_REBALANCE)
                        && memberId.equals(group.leaderId)));
                } else {
                    updateMemberAndRebalance(group, member, request, protocols, callback);
                }
            }
            default -> callback.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /** Kafka's member id: the client id and a UUID; a very long client id is cut so the id stays encodable. */
    private static String newMemberId(String clientId) {
        String prefix = clientId.length() > MEMBER_ID_PREFIX_MAX_CHARS
            ? clientId.substring(0, MEMBER_ID_PREFIX_MAX_CHARS) : clientId;
        return prefix + "-" + UUID.randomUUID();
    }

    /**
     * KIP-345: a static member restarting within its session timeout takes its old incarnation's place, which is
     * fenced (FENCED_INSTANCE_ID on its pending and later requests). In a Stable group whose protocol would not
     * change it keeps the old assignment and the group does not rebalance: it is answered once its new member id
     * is durable (if that write fails, the old incarnation is put back and the join fails), and a returning leader
     * gets the members' metadata with {@code SkipAssignment} set (KIP-814), so it knows the group again without
     * computing a new assignment. Otherwise it takes part in a rebalance under its new id.
     */
    private void replaceStaticMember(ClassicGroup group, GroupMember old, String newMemberId,
                                     JoinGroupRequestData request, String clientId, String clientHost,
                                     Map<String, byte[]> protocols, Consumer<JoinGroupResponseData> callback) {
        boolean leader = old.memberId.equals(group.leaderId);
        boolean withoutRebalance = group.is(GroupState.STABLE) && group.keepsProtocolWith(old, protocols);
        if (old.awaitingJoin != null) {
            old.awaitingJoin.accept(joinError(old.memberId, Errors.FENCED_INSTANCE_ID));
            old.awaitingJoin = null;
        }
        answerSync(old, syncError(Errors.FENCED_INSTANCE_ID));
        removeMemberQuietly(group, old);
        GroupMember member = new GroupMember(newMemberId, old.groupInstanceId, clientId, clientHost);
        member.protocolType = old.protocolType;
        member.assignment = old.assignment;
        group.members.put(newMemberId, member);
        group.staticMembers.put(old.groupInstanceId, newMemberId);
        if (leader) {
            group.leaderId = newMemberId;
        }
        if (!withoutRebalance) {
            updateMemberAndRebalance(group, member, request, protocols, callback);
            return;
        }
        member.protocols = protocols;
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs() < 0 ? request.sessionTimeoutMs()
            : request.rebalanceTimeoutMs();
        scheduleHeartbeatExpiry(group, member);
        int generation = group.generationId;
        store(group, error -> onStaticReplacementStored(group, generation, old, member, leader, error, callback));
    }

    private synchronized void onStaticReplacementStored(ClassicGroup group, int generation, GroupMember old,
                                                        GroupMember member, boolean leader, Errors error,
                                                        Consumer<JoinGroupResponseData> callback) {
        boolean unchanged = groups.get(group.groupId) == group && group.members.get(member.memberId) == member;
        if (!unchanged) {
            callback.accept(joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        if (error == Errors.NONE) {
            callback.accept(joinResponse(group, member, leader).setSkipAssignment(leader));
            return;
        }
        if (group.is(GroupState.STABLE) && group.generationId == generation) {
            // As Kafka: the replacement is undone, so the group still matches what is on disk.
            removeMemberQuietly(group, member);
            group.members.put(old.memberId, old);
            group.staticMembers.put(old.groupInstanceId, old.memberId);
            if (leader) {
                group.leaderId = old.memberId;
            }
            scheduleHeartbeatExpiry(group, old);
        }
        callback.accept(joinError(member.memberId, error));
    }

    private void addMemberAndRebalance(ClassicGroup group, GroupMember member, JoinGroupRequestData request,
                                       Map<String, byte[]> protocols, Consumer<JoinGroupResponseData> callback) {
        member.protocolType = request.protocolType();
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs() < 0 ? request.sessionTimeoutMs()
            : request.rebalanceTimeoutMs();
        member.protocols = protocols;
        member.awaitingJoin = callback;
        if (group.members.isEmpty()) {
            group.protocolType = request.protocolType();
        }
        group.members.put(member.memberId, member);
        if (group.leaderId == null) {
            group.leaderId = member.memberId;
        }
        maybePrepareRebalance(group);
        maybeCompleteJoin(group);
    }

    private void updateMemberAndRebalance(ClassicGroup group, GroupMember member, JoinGroupRequestData request,
                                          Map<String, byte[]> protocols, Consumer<JoinGroupResponseData> callback) {
        member.protocols = protocols;
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs() < 0 ? request.sessionTimeoutMs()
            : request.rebalanceTimeoutMs();
        if (member.awaitingJoin != null) {
            // A second join while the first waits: the first is answered as superseded.
            member.awaitingJoin.accept(joinError(member.memberId, Errors.REBALANCE_IN_PROGRESS));
        }
        member.awaitingJoin = callback;
        maybePrepareRebalance(group);
        maybeCompleteJoin(group);
    }

    private void maybePrepareRebalance(ClassicGroup group) {
        if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE)
            || group.is(GroupState.EMPTY)) {
            prepareRebalance(group);
        }
    }

    private void prepareRebalance(ClassicGroup group) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            // The assignment the leader is computing is for a membership that no longer holds.
            for (GroupMember m : group.members.values()) {
                m.assignment = new byte[0];
                answerSync(m, syncError(Errors.REBALANCE_IN_PROGRESS));
            }
        }
        boolean wasEmpty = group.is(GroupState.EMPTY);
        group.state = GroupState.PREPARING_REBALANCE;
        cancelJoinTimer(group);
        long now = timer.nowMs();
        group.rebalanceDeadlineMs = now + group.maxRebalanceTimeoutMs();
        if (wasEmpty && config.initialRebalanceDelayMs() > 0) {
            group.initialDelay = true;
            scheduleJoin(group, Math.min(config.initialRebalanceDelayMs(), group.maxRebalanceTimeoutMs()));
        } else {
            group.initialDelay = false;
            scheduleJoin(group, group.maxRebalanceTimeoutMs());
        }
    }

    private void scheduleJoin(ClassicGroup group, long delayMs) {
        String groupId = group.groupId;
        int generation = group.generationId;
        group.joinTimer = timer.schedule(delayMs, () -> onJoinTimer(groupId, generation));
    }

    private synchronized void onJoinTimer(String groupId, int generation) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || !group.is(GroupState.PREPARING_REBALANCE) || group.generationId != generation) {
            return;
        }
        group.joinTimer = null;
        long remainingMs = group.rebalanceDeadlineMs - timer.nowMs();
        if (group.initialDelay && !group.hasAllMembersJoined() && remainingMs > 0) {
            // Members still joining: keep waiting, up to the rebalance timeout.
            scheduleJoin(group, Math.min(config.initialRebalanceDelayMs(), remainingMs));
            return;
        }
        group.initialDelay = false;
        completeJoin(group);
    }

    private void maybeCompleteJoin(ClassicGroup group) {
        if (group.is(GroupState.PREPARING_REBALANCE) && !group.initialDelay && group.hasAllMembersJoined()) {
            completeJoin(group);
        }
    }

    private void completeJoin(ClassicGroup group) {
        cancelJoinTimer(group);
        // Members that did not rejoin in time are out.
        for (GroupMember m : new ArrayList<>(group.members.values())) {
            if (!m.isAwaitingJoin()) {
                removeMemberQuietly(group, m);
            }
        }
        for (GroupTimer.Scheduled pending : group.pendingMembers.values()) {
            pending.cancel();
        }
        group.pendingMembers.clear();
        group.generationId++;
        if (group.members.isEmpty()) {
            group.state = GroupState.EMPTY;
            group.emptySinceMs = timer.nowMs();
            group.protocolName = null;
            group.leaderId = null;
            store(group, error -> { });
            return;
        }
        group.protocolName = group.selectProtocol();
        if (group.leaderId == null || !group.members.containsKey(group.leaderId)) {
            group.leaderId = group.members.keySet().iterator().next();
        }
        group.state = GroupState.COMPLETING_REBALANCE;
        for (GroupMember m : group.members.values()) {
            Consumer<JoinGroupResponseData> answer = m.awaitingJoin;
            m.awaitingJoin = null;
            answer.accept(joinResponse(group, m, m.memberId.equals(group.leaderId)));
            scheduleHeartbeatExpiry(group, m);
        }
    }

    private JoinGroupResponseData joinResponse(ClassicGroup group, GroupMember member, boolean withMembers) {
        JoinGroupResponseData response = new JoinGroupResponseData()
            .setGenerationId(group.generationId)
            .setProtocolType(group.protocolType)
            .setProtocolName(group.protocolName)
            .setLeader(group.leaderId)
            .setMemberId(member.memberId);
        if (withMembers) {
            for (GroupMember m : group.members.values()) {
                response.members().add(new JoinGroupResponseMember()
                    .setMemberId(m.memberId)
                    .setGroupInstanceId(m.groupInstanceId)
                    .setMetadata(m.protocols.get(group.protocolName)));
            }
        }
        return response;
    }

    private static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData()
            .setErrorCode(error.code())
            .setGenerationId(-1)
            .setProtocolName("")
            .setLeader("")
            .setMemberId(memberId == null ? "" : memberId);
    }

    private void cancelJoinTimer(ClassicGroup group) {
        if (group.joinTimer != null) {
            group.joinTimer.cancel();
            group.joinTimer = null;
        }
    }

    private synchronized void expirePending(String groupId, String memberId) {
        ClassicGroup group = groups.get(groupId);
        if (group != null && group.pendingMembers.remove(memberId) != null) {
            maybeCompleteJoin(group);
        }
    }

    // ---------------------------------------------------------------- SyncGroup

    public synchronized void syncGroup(SyncGroupRequestData request, Consumer<SyncGroupResponseData> callback) {
        ClassicGroup group = groups.get(request.groupId());
        if (group == null) {
            callback.accept(syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        GroupMember member = group.members.get(request.memberId());
        Errors error = checkMember(group, request.memberId(), request.groupInstanceId(), request.generationId());
        if (error != Errors.NONE) {
            callback.accept(syncError(error));
            return;
        }
        if ((request.protocolType() != null && !request.protocolType().equals(group.protocolType))
            || (request.protocolName() != null && !request.protocolName().equals(group.protocolName))) {
            callback.accept(syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        switch (group.state) {
            case PREPARING_REBALANCE -> callback.accept(syncError(Errors.REBALANCE_IN_PROGRESS));
            case STABLE -> {
                touchHeartbeat(group, member);
                callback.accept(syncResponse(group, member));
            }
            case COMPLETING_REBALANCE -> {
                member.awaitingSync = callback;
                touchHeartbeat(group, member);
                if (member.memberId.equals(group.leaderId)) {
                    Map<String, byte[]> assignments = new LinkedHashMap<>();
                    for (SyncGroupRequestAssignment a : request.assignments()) {
                        assignments.put(a.memberId(), a.assignment());
                    }
                    for (GroupMember m : group.members.values()) {
                        byte[] assigned = assignments.get(m.memberId);
                        m.assignment = assigned == null ? new byte[0] : assigned;
                    }
                    // As Kafka: the members get their assignment once the membership is durable.
                    int generation = group.generationId;
                    store(group, stored -> onAssignmentStored(group, generation, stored));
                }
            }
            default -> callback.accept(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private synchronized void onAssignmentStored(ClassicGroup group, int generation, Errors error) {
        if (groups.get(group.groupId) != group || !group.is(GroupState.COMPLETING_REBALANCE)
            || group.generationId != generation) {
            return;
        }
        if (error != Errors.NONE) {
            for (GroupMember m : group.members.values()) {
                m.assignment = new byte[0];
                answerSync(m, syncError(error));
            }
            prepareRebalance(group);
            return;
        }
        group.state = GroupState.STABLE;
        for (GroupMember m : group.members.values()) {
            answerSync(m, syncResponse(group, m));
        }
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup group, GroupMember member) {
        return new SyncGroupResponseData()
            .setProtocolType(group.protocolType)
            .setProtocolName(group.protocolName)
            .setAssignment(member.assignment);
    }

    private static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    private static void answerSync(GroupMember member, SyncGroupResponseData response) {
        Consumer<SyncGroupResponseData> waiting = member.awaitingSync;
        member.awaitingSync = null;
        if (waiting != null) {
            waiting.accept(response);
        }
    }

    /**
     * Kafka's checks of a member's request: a static member's replaced incarnation is fenced (KIP-345), then unknown
     * member, then stale generation.
     */
    private static Errors checkMember(ClassicGroup group, String memberId, String groupInstanceId, int generationId) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (groupInstanceId != null) {
            String current = group.staticMembers.get(groupInstanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!current.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        GroupMember member = group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    // ---------------------------------------------------------------- Heartbeat

    public synchronized Errors heartbeat(HeartbeatRequestData request) {
        ClassicGroup group = groups.get(request.groupId());
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        GroupMember member = group.members.get(request.memberId());
        Errors error = checkMember(group, request.memberId(), request.groupInstanceId(), request.generationId());
        if (error != Errors.NONE) {
            return error;
        }
        touchHeartbeat(group, member);
        return group.is(GroupState.PREPARING_REBALANCE) ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }

    private void touchHeartbeat(ClassicGroup group, GroupMember member) {
        member.heartbeatDeadlineMs = timer.nowMs() + member.sessionTimeoutMs;
        if (member.heartbeatTimer == null) {
            scheduleHeartbeatExpiry(group, member);
        }
    }

    private void scheduleHeartbeatExpiry(ClassicGroup group, GroupMember member) {
        member.heartbeatDeadlineMs = timer.nowMs() + member.sessionTimeoutMs;
        if (member.heartbeatTimer != null) {
            member.heartbeatTimer.cancel();
        }
        String groupId = group.groupId;
        member.heartbeatTimer = timer.schedule(member.sessionTimeoutMs,
            () -> onHeartbeatTimer(groupId, member));
    }

    private synchronized void onHeartbeatTimer(String groupId, GroupMember member) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.members.get(member.memberId) != member) {
            return;
        }
        member.heartbeatTimer = null;
        long now = timer.nowMs();
        if (member.isAwaitingJoin()) {
            // Its session is checked again once the rebalance completes (the rebalance timeout bounds the wait).
            return;
        }
        if (now < member.heartbeatDeadlineMs) {
            String id = group.groupId;
            member.heartbeatTimer = timer.schedule(member.heartbeatDeadlineMs - now,
                () -> onHeartbeatTimer(id, member));
            return;
        }
        removeMember(group, member);
    }

    // ---------------------------------------------------------------- LeaveGroup

    /** Removes one member, found by member id or (static membership) by group instance id. */
    public synchronized Errors leaveGroup(String groupId, String memberId, String groupInstanceId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        String id = memberId;
        if (groupInstanceId != null) {
            String current = group.staticMembers.get(groupInstanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (memberId != null && !memberId.isEmpty() && !memberId.equals(current)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            id = current;
        }
        GroupTimer.Scheduled pending = group.pendingMembers.remove(id);
        if (pending != null) {
            pending.cancel();
            maybeCompleteJoin(group);
            return Errors.NONE;
        }
        GroupMember member = group.members.get(id);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        removeMember(group, member);
        return Errors.NONE;
    }

    private void removeMember(ClassicGroup group, GroupMember member) {
        if (member.awaitingJoin != null) {
            member.awaitingJoin.accept(joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID));
            member.awaitingJoin = null;
        }
        answerSync(member, syncError(Errors.UNKNOWN_MEMBER_ID));
        removeMemberQuietly(group, member);
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> {
                prepareRebalance(group);
                // The last member gone: nobody to wait for, the group becomes Empty at once.
                maybeCompleteJoin(group);
            }
            case PREPARING_REBALANCE -> maybeCompleteJoin(group);
            default -> { }
        }
    }

    private static void removeMemberQuietly(ClassicGroup group, GroupMember member) {
        group.members.remove(member.memberId);
        if (member.heartbeatTimer != null) {
            member.heartbeatTimer.cancel();
            member.heartbeatTimer = null;
        }
        if (member.groupInstanceId != null
            && member.memberId.equals(group.staticMembers.get(member.groupInstanceId))) {
            group.staticMembers.remove(member.groupInstanceId);
        }
        if (member.memberId.equals(group.leaderId)) {
            group.leaderId = group.members.isEmpty() ? null : group.members.keySet().iterator().next();
        }
    }

    // ---------------------------------------------------------------- offsets: membership checks

    /**
     * Whether a commit may go ahead: simple commits (generation -1, no member id) only for a group without members;
     * otherwise the member and generation must be current and the group not waiting for its assignment.
     */
    public synchronized Errors validateOffsetCommit(String groupId, int generationId, String memberId,
                                                    String groupInstanceId) {
        ClassicGroup group = groups.get(groupId);
        boolean simple = generationId < 0 && (memberId == null || memberId.isEmpty());
        if (group == null || group.is(GroupState.EMPTY)) {
            return simple ? Errors.NONE : (group == null ? Errors.ILLEGAL_GENERATION : Errors.UNKNOWN_MEMBER_ID);
        }
        if (simple) {
            // A standalone consumer may not overwrite the offsets of a group that has active members.
            return Errors.UNKNOWN_MEMBER_ID;
        }
        Errors error = checkMember(group, memberId, groupInstanceId, generationId);
        if (error != Errors.NONE) {
            return error;
        }
        GroupMember member = group.members.get(memberId);
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        touchHeartbeat(group, member);
        return Errors.NONE;
    }

    /**
     * OffsetDelete's check of a group, done once for the whole request.
     *
     * @param error            NONE, or the error for the whole request: GROUP_ID_NOT_FOUND for a group this
     *                         coordinator does not know, NON_EMPTY_GROUP for an active group of another protocol
     *                         type than {@code consumer} (its members' metadata cannot tell what they use)
     * @param subscribedTopics the topics the active members subscribe to, whose offsets may not be deleted
     *                         (GROUP_SUBSCRIBED_TO_TOPIC); empty for an Empty group
     */
    public record OffsetDeleteCheck(Errors error, Set<String> subscribedTopics) {
    }

    public synchronized OffsetDeleteCheck validateOffsetDelete(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.is(GroupState.DEAD)) {
            return new OffsetDeleteCheck(Errors.GROUP_ID_NOT_FOUND, Set.of());
        }
        if (group.is(GroupState.EMPTY)) {
            return new OffsetDeleteCheck(Errors.NONE, Set.of());
        }
        if (!ConsumerSubscriptions.PROTOCOL_TYPE.equals(group.protocolType)) {
            return new OffsetDeleteCheck(Errors.NON_EMPTY_GROUP, Set.of());
        }
        return new OffsetDeleteCheck(Errors.NONE, ConsumerSubscriptions.topicsOf(group));
    }

    // ---------------------------------------------------------------- membership records

    private void store(ClassicGroup group, Consumer<Errors> done) {
        metadataLog.writeGroup(group.groupId, group.toRecord(timer.nowMs()), error -> {
            if (error != Errors.NONE) {
                LOG.warn("Could not write the membership of group {}: {}", group.groupId, error);
            }
            done.accept(error);
        });
    }

    /**
     * Brings back a group read from {@code __consumer_offsets} at start-up: with members it is Stable in its stored
     * generation, and each member has a full session timeout, from now, to heartbeat; without members it is Empty.
     */
    public synchronized void restore(String groupId, GroupRecord record) {
        ClassicGroup group = ClassicGroup.fromRecord(groupId, record);
        groups.put(groupId, group);
        for (GroupMember m : group.members.values()) {
            scheduleHeartbeatExpiry(group, m);
        }
    }

    // ---------------------------------------------------------------- offsets retention

    /** What offsets retention needs to know of a group, see {@link GroupActivity}. */
    public synchronized GroupActivity activity(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.is(GroupState.DEAD) || group.is(GroupState.EMPTY)) {
            return GroupActivity.empty(group == null ? -1 : group.emptySinceMs);
        }
        Set<String> subscribed = ConsumerSubscriptions.PROTOCOL_TYPE.equals(group.protocolType)
            ? ConsumerSubscriptions.knownTopicsOf(group) : null;
        return subscribed == null ? GroupActivity.activeKeepingAll() : GroupActivity.active(subscribed);
    }

    /** Forgets an Empty group whose offsets have all expired, as Kafka does; a group with members stays. */
    public synchronized void removeIfEmpty(String groupId) {
        deleteGroup(groupId);
    }

    // ---------------------------------------------------------------- ListGroups, DescribeGroups

    /** Makes sure a group known only by its committed offsets is listed (an Empty group). */
    public synchronized void ensureGroup(String groupId) {
        groups.computeIfAbsent(groupId, ClassicGroup::new);
    }

    public synchronized List<ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        List<ListedGroup> listed = new ArrayList<>();
        for (ClassicGroup group : groups.values()) {
            if (group.is(GroupState.DEAD)) {
                continue;
            }
            if (statesFilter != null && !statesFilter.isEmpty() && statesFilter.stream()
                .noneMatch(s -> s.equalsIgnoreCase(group.state.kafkaName))) {
                continue;
            }
            if (typesFilter != null && !typesFilter.isEmpty() && typesFilter.stream()
                .noneMatch(t -> t.equalsIgnoreCase("classic"))) {
                continue;
            }
            listed.add(group.listing());
        }
        return listed;
    }

    public synchronized DescribedGroup describeGroup(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            // Kafka describes an unknown group as Dead, with no error.
            return new DescribedGroup().setGroupId(groupId).setGroupState(GroupState.DEAD.kafkaName)
                .setProtocolType("").setProtocolData("");
        }
        return group.describe();
    }

    /** Deletes an Empty group's membership record; Kafka refuses groups with members (NON_EMPTY_GROUP). */
    public synchronized Errors deleteGroup(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.is(GroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!group.is(GroupState.EMPTY)) {
            return Errors.NON_EMPTY_GROUP;
        }
        group.state = GroupState.DEAD;
        groups.remove(groupId);
        metadataLog.writeGroup(groupId, null, error -> { });
        return Errors.NONE;
    }

    /** For tests and DescribeGroups: the state name of a group, "Dead" if unknown. */
    synchronized String stateOf(String groupId) {
        ClassicGroup group = groups.get(groupId);
        return group == null ? GroupState.DEAD.kafkaName : group.state.kafkaName;
    }

    public void close() {
        timer.close();
    }
}
