package io.piste.broker.group;

import static io.piste.broker.group.ClassicGroupResponses.joinError;
import static io.piste.broker.group.ClassicGroupResponses.syncError;
import static io.piste.broker.group.ClassicGroupResponses.syncResponse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) for every group, this node being the
 * coordinator of all of them: it finds the group and member a request is about, calls the group's transitions
 * ({@link ClassicGroup}, which holds Kafka's state machine), and writes the membership when a rebalance completes.
 * The admin APIs and the offsets' checks of classic groups are {@link #admin()} and {@link #offsetChecks()}.
 *
 * <p>Answers to JoinGroup and SyncGroup may be held until the rebalance completes; they are given to callbacks,
 * from the calling thread, the timer thread or the thread that completes a membership write, and always after the
 * lock of the groups is released ({@link DeferredResponses}). Thread-safe: one lock guards every classic group.
 */
public final class GroupCoordinator {

    private final GroupConfig config;
    private final GroupTimer timer;
    private final ClassicGroups groups;
    private final ClassicGroupWriter writer;
    private final ClassicJoin joins;
    private final ClassicGroupAdmin admin;
    private final ClassicGroupOffsetChecks offsetChecks;

    /** A coordinator that keeps membership in memory only. */
    public GroupCoordinator(GroupConfig config, GroupTimer timer) {
        this(config, timer, GroupMetadataLog.NONE);
    }

    /** @param metadataLog where each group's membership is written when a rebalance completes */
    public GroupCoordinator(GroupConfig config, GroupTimer timer, GroupMetadataLog metadataLog) {
        this.config = config;
        this.timer = timer;
        this.groups = new ClassicGroups(new Coordination());
        this.writer = new ClassicGroupWriter(metadataLog, timer, groups);
        this.joins = new ClassicJoin(groups, writer);
        this.admin = new ClassicGroupAdmin(groups, writer);
        this.offsetChecks = new ClassicGroupOffsetChecks(groups);
    }

    public GroupConfig config() {
        return config;
    }

    /** ListGroups, DescribeGroups and DeleteGroups on the same groups. */
    public ClassicGroupAdmin admin() {
        return admin;
    }

    /** The checks OffsetCommit, OffsetDelete and offsets retention make against the same groups. */
    public ClassicGroupOffsetChecks offsetChecks() {
        return offsetChecks;
    }

    // ---------------------------------------------------------------- JoinGroup

    public void joinGroup(
            JoinGroupRequestData request,
            short version,
            String clientId,
            String clientHost,
            Consumer<JoinGroupResponseData> callback) {
        DeferredResponses responses = new DeferredResponses();
        joinGroup(request, version, clientId, clientHost, callback, responses);
        responses.send();
    }

    /**
     * JoinGroup, adding the answers it gives (to this join and to others it completes) to {@code responses}, which
     * the caller sends once it holds no lock: for a caller that holds its own lock around this call.
     */
    public void joinGroup(
            JoinGroupRequestData request,
            short version,
            String clientId,
            String clientHost,
            Consumer<JoinGroupResponseData> callback,
            DeferredResponses responses) {
        Errors invalid = JoinGroupRequestCheck.check(request, clientId, config);
        if (invalid != Errors.NONE) {
            responses.add(callback, joinError(request.memberId(), invalid));
            return;
        }
        synchronized (groups) {
            joins.join(request, version, clientId, clientHost, callback, responses);
        }
    }

    // ---------------------------------------------------------------- SyncGroup

    public void syncGroup(SyncGroupRequestData request, Consumer<SyncGroupResponseData> callback) {
        groups.locked(responses -> {
            sync(request, callback, responses);
            return null;
        });
    }

    private void sync(
            SyncGroupRequestData request, Consumer<SyncGroupResponseData> callback, DeferredResponses responses) {
        ClassicGroup group = groups.get(request.groupId());
        if (group == null) {
            responses.add(callback, syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        Errors error = group.checkMember(request.memberId(), request.groupInstanceId(), request.generationId());
        if (error != Errors.NONE) {
            responses.add(callback, syncError(error));
            return;
        }
        if ((request.protocolType() != null && !request.protocolType().equals(group.protocolType()))
                || (request.protocolName() != null && !request.protocolName().equals(group.protocolName()))) {
            responses.add(callback, syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        GroupMember member = group.member(request.memberId());
        switch (group.state()) {
            case PREPARING_REBALANCE -> responses.add(callback, syncError(Errors.REBALANCE_IN_PROGRESS));
            case STABLE -> {
                group.touchSession(member);
                responses.add(callback, syncResponse(group, member));
            }
            case COMPLETING_REBALANCE -> {
                group.awaitAssignment(member, callback);
                if (group.isLeader(member.memberId)) {
                    Map<String, byte[]> assignments = new LinkedHashMap<>();
                    for (SyncGroupRequestAssignment a : request.assignments()) {
                        assignments.put(a.memberId(), a.assignment());
                    }
                    group.assign(assignments);
                    // As Kafka: the members get their assignment once the membership is durable.
                    int generation = group.generationId();
                    writer.write(group, responses, (stored, later) -> {
                        if (groups.get(group.groupId()) == group) {
                            group.completeAssignment(generation, stored, later);
                        }
                    });
                }
            }
            default -> responses.add(callback, syncError(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    // ---------------------------------------------------------------- Heartbeat, LeaveGroup

    public Errors heartbeat(HeartbeatRequestData request) {
        synchronized (groups) {
            ClassicGroup group = groups.get(request.groupId());
            if (group == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            Errors error = group.checkMember(request.memberId(), request.groupInstanceId(), request.generationId());
            if (error != Errors.NONE) {
                return error;
            }
            group.touchSession(group.member(request.memberId()));
            return group.is(GroupState.PREPARING_REBALANCE) ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    /** Removes one member, found by member id or (static membership) by group instance id. */
    public Errors leaveGroup(String groupId, String memberId, String groupInstanceId) {
        return groups.locked(responses -> leave(groupId, memberId, groupInstanceId, responses));
    }

    private Errors leave(String groupId, String memberId, String groupInstanceId, DeferredResponses responses) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        String id = memberId;
        if (groupInstanceId != null) {
            String current = group.staticMemberId(groupInstanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (memberId != null && !memberId.isEmpty() && !memberId.equals(current)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            id = current;
        }
        if (group.forgetPendingMember(id, responses)) {
            return Errors.NONE;
        }
        GroupMember member = group.member(id);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        group.removeMember(member, responses);
        return Errors.NONE;
    }

    // ---------------------------------------------------------------- membership records

    /**
     * Brings back a group read from {@code __consumer_offsets} at start-up: with members it is Stable in its stored
     * generation, and each member has a full session timeout, from now, to heartbeat; without members it is Empty.
     */
    public void restore(String groupId, GroupRecord record) {
        synchronized (groups) {
            groups.restore(groupId, record).startSessions();
        }
    }

    /**
     * Forgets the groups {@code ofPartition} accepts (those of a partition of {@code __consumer_offsets} led elsewhere
     * now, or about to be loaded again), their timers stopped; returns how many.
     */
    public int unload(Predicate<String> ofPartition) {
        synchronized (groups) {
            int unloaded = 0;
            for (ClassicGroup group : groups.all()) {
                if (ofPartition.test(group.groupId())) {
                    group.unload();
                    groups.remove(group.groupId());
                    unloaded++;
                }
            }
            return unloaded;
        }
    }

    /** The groups' clock, settings, timers and writes; each timer task comes back through the lock. */
    private final class Coordination implements ClassicGroup.Coordination {

        @Override
        public long nowMs() {
            return timer.nowMs();
        }

        @Override
        public int initialRebalanceDelayMs() {
            return config.initialRebalanceDelayMs();
        }

        @Override
        public GroupTimer.Scheduled scheduleJoinTimeout(String groupId, int generationId, long delayMs) {
            return timer.schedule(delayMs, () -> onTimer(groupId, (group, r) -> group.onJoinTimeout(generationId, r)));
        }

        @Override
        public GroupTimer.Scheduled scheduleSessionTimeout(String groupId, GroupMember member, long delayMs) {
            return timer.schedule(delayMs, () -> onTimer(groupId, (group, r) -> group.onSessionTimeout(member, r)));
        }

        @Override
        public GroupTimer.Scheduled schedulePendingMemberTimeout(String groupId, String memberId, long delayMs) {
            return timer.schedule(
                    delayMs, () -> onTimer(groupId, (group, r) -> group.forgetPendingMember(memberId, r)));
        }

        @Override
        public void writeMembership(ClassicGroup group) {
            writer.write(group);
        }

        private void onTimer(String groupId, BiConsumer<ClassicGroup, DeferredResponses> task) {
            groups.locked(responses -> {
                ClassicGroup group = groups.get(groupId);
                if (group != null) {
                    task.accept(group, responses);
                }
                return null;
            });
        }
    }

    public void close() {
        timer.close();
    }
}
