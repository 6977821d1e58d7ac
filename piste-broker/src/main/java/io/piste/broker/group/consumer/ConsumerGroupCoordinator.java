package io.piste.broker.group.consumer;

import io.piste.broker.group.ConsumerGroupLog;
import io.piste.broker.group.GroupActivity;
import io.piste.broker.group.GroupTimer;
import io.piste.broker.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of KIP-848 consumer groups (ConsumerGroupHeartbeat), this node coordinating all of them.
 *
 * <p>Each heartbeat: checks the member and its epoch, applies its subscription, moves the group to a new epoch and
 * computes a new target assignment if what the assignment depends on changed, then takes the member one
 * {@link Reconciliation} step towards its target and answers with its epoch and (when it changed) its assignment.
 * Members are removed when they leave, when their session times out ({@code group.consumer.session.timeout.ms})
 * and when they do not revoke partitions within their rebalance timeout.
 *
 * <p>Thread-safe: one lock guards every consumer group. Classic groups live in the classic coordinator; a group id
 * is one or the other. When both locks are needed this lock is taken first.
 */
public final class ConsumerGroupCoordinator {

    public static final int LEAVE_EPOCH = -1;
    public static final int STATIC_LEAVE_EPOCH = -2;

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupCoordinator.class);

    /** The classic coordinator's side of a group id claimed by the consumer protocol. */
    @FunctionalInterface
    public interface ClassicGroups {
        /** Removes the classic group of that id if it has no members; false if it has members. */
        boolean removeIfEmpty(String groupId);
    }

    private final ConsumerGroupConfig config;
    private final Assignors assignors;
    private final GroupTimer timer;
    private final Supplier<MetadataImage> metadata;
    private final ClassicGroups classicGroups;
    private final ConsumerGroupWriter writer;
    private final Map<String, ConsumerGroup> groups = new LinkedHashMap<>();

    /** A coordinator that keeps its groups in memory only. */
    public ConsumerGroupCoordinator(ConsumerGroupConfig config, GroupTimer timer, Supplier<MetadataImage> metadata,
                                    ClassicGroups classicGroups) {
        this(config, timer, metadata, classicGroups, ConsumerGroupLog.NONE);
    }

    /** @param store where each group's state is written when it changes, so members carry on after a restart */
    public ConsumerGroupCoordinator(ConsumerGroupConfig config, GroupTimer timer, Supplier<MetadataImage> metadata,
                                    ClassicGroups classicGroups, ConsumerGroupLog store) {
        this.config = config;
        this.assignors = new Assignors(config.assignors());
        this.timer = timer;
        this.metadata = metadata;
        this.classicGroups = classicGroups;
        this.writer = new ConsumerGroupWriter(store);
    }

    /**
     * ConsumerGroupHeartbeat, answered once the group's state it answers from is durable: its own change, or an
     * earlier one still being written (as Kafka answers after its records are committed). If that write fails the
     * member gets COORDINATOR_NOT_AVAILABLE and retries.
     */
    public synchronized void heartbeat(ConsumerGroupHeartbeatRequestData request, short version, String clientId,
                                       String clientHost, Consumer<ConsumerGroupHeartbeatResponseData> respond) {
        ConsumerGroupHeartbeatResponseData response = heartbeat(request, version, clientId, clientHost);
        persist(request.groupId(), error -> respond.accept(error == Errors.NONE ? response
            : error(Errors.COORDINATOR_NOT_AVAILABLE, "The group's new state could not be written: " + error)));
    }

    /**
     * Writes the group's snapshot (a tombstone if the group is gone) if it differs from the last one written, then
     * calls {@code done} once the group's last write is durable. Called under this lock, so writes are in order.
     */
    private void persist(String groupId, Consumer<Errors> done) {
        if (groupId == null) {
            done.accept(Errors.NONE);
            return;
        }
        ConsumerGroup group = groups.get(groupId);
        byte[] snapshot;
        try {
            snapshot = group == null ? null : ConsumerGroupSnapshot.encode(group);
        } catch (IllegalStateException e) {
            // A state that cannot be written would fail every later heartbeat of the group: go back to the last
            // state written (none: the group is gone), as if the change had not been made.
            log.error("Consumer group {} rolled back to its last written state: {}", groupId, e.getMessage());
            rollBack(group);
            done.accept(Errors.UNKNOWN_SERVER_ERROR);
            return;
        }
        writer.write(groupId, snapshot, done);
    }

    private void rollBack(ConsumerGroup group) {
        group.members.values().forEach(ConsumerGroupCoordinator::cancelTimers);
        groups.remove(group.groupId);
        byte[] written = writer.lastWritten(group.groupId);
        if (written != null) {
            restore(group.groupId, written);
        }
    }

    /**
     * Brings back a group from its snapshot at start-up: members keep their epochs and assignments, and each has a
     * full session timeout, from now, to heartbeat again. Throws if the snapshot cannot be read.
     */
    public synchronized void restore(String groupId, byte[] snapshot) {
        ConsumerGroup group = ConsumerGroupSnapshot.decode(groupId, snapshot);
        // Resolved again at the first heartbeat: a topic deleted or grown while the broker was down moves the
        // group to a new epoch then.
        group.resolvedAgainst = null;
        groups.put(groupId, group);
        writer.restored(groupId, snapshot);
        for (ConsumerGroupMember member : group.members.values()) {
            touchSession(group, member);
            if (member.assignment.state() == MemberState.UNREVOKED_PARTITIONS) {
                scheduleRebalanceTimeout(group, member);
            }
        }
    }

    // ---------------------------------------------------------------- ConsumerGroupHeartbeat

    /** The heartbeat's answer, without waiting for its changes to be written (unit tests). */
    synchronized ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData request,
                                                              short version, String clientId, String clientHost) {
        ApiError invalid = HeartbeatRequestCheck.check(request, version, clientId, assignors);
        if (invalid != null) {
            return error(invalid.error(), invalid.message());
        }
        int epoch = request.memberEpoch();
        if (epoch == LEAVE_EPOCH || epoch == STATIC_LEAVE_EPOCH) {
            return leave(request);
        }
        String groupId = request.groupId();
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            if (epoch != 0) {
                // The group was deleted, or its state was never written: the member rejoins on this answer.
                return error(Errors.UNKNOWN_MEMBER_ID, "Group " + groupId + " has no member " + request.memberId()
                    + "; rejoin with member epoch 0.");
            }
            if (!classicGroups.removeIfEmpty(groupId)) {
                return error(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a consumer group.");
            }
            group = new ConsumerGroup(groupId);
            groups.put(groupId, group);
        }
        String memberId = request.memberId() == null || request.memberId().isEmpty()
            ? Uuid.randomUuid().toString() : request.memberId();
        Map<Uuid, Set<Integer>> owned = Partitions.fromRequest(request.topicPartitions());
        ConsumerGroupMember member;
        boolean joined = false;
        if (epoch == 0) {
            member = group.members.get(memberId);
            if (member == null) {
                member = replaceStaticMember(group, memberId, request.instanceId());
                if (member == null) {
                    return error(Errors.UNRELEASED_INSTANCE_ID, "Static member with instance id "
                        + request.instanceId() + " is still active in group " + groupId + ".");
                }
                joined = !group.members.containsKey(memberId);
            }
            member.leftStatically = false;
        } else {
            member = group.members.get(memberId);
            if (member == null) {
                return error(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + groupId + ".");
            }
            if (request.instanceId() != null && !memberId.equals(group.staticMembers.get(request.instanceId()))) {
                return error(Errors.FENCED_INSTANCE_ID, "Instance id " + request.instanceId()
                    + " belongs to another member.");
            }
            Errors fenced = MemberEpochChecks.heartbeat(member, epoch, owned);
            if (fenced != Errors.NONE) {
                return error(fenced, "Member " + memberId + " sent epoch " + epoch + "; its epoch is "
                    + member.assignment.memberEpoch() + ".");
            }
        }
        if (joined && group.members.size() >= config.maxSize()) {
            return error(Errors.GROUP_MAX_SIZE_REACHED, "The consumer group has reached its maximum capacity of "
                + config.maxSize() + " members.");
        }
        if (joined) {
            group.members.put(memberId, member);
            if (member.instanceId != null) {
                group.staticMembers.put(member.instanceId, memberId);
            }
            log.info("Member {} joins consumer group {}", memberId, groupId);
        }
        boolean changed = member.update(request, clientId, clientHost) || joined;
        maybeBumpEpoch(group, changed);
        MemberAssignment before = member.assignment;
        reconcile(group, member, owned);
        touchSession(group, member);
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
            .setMemberId(memberId)
            .setMemberEpoch(member.assignment.memberEpoch())
            .setHeartbeatIntervalMs(config.heartbeatIntervalMs(
                group.isChanging(timer.nowMs(), config.heartbeatIntervalMs())));
        MemberAssignment after = member.assignment;
        if (epoch == 0 || !after.equals(before) || (owned != null && !owned.equals(after.assigned()))) {
            response.setAssignment(new ConsumerGroupHeartbeatResponseData.Assignment()
                .setTopicPartitions(Partitions.toResponse(after.assigned())));
        }
        return response;
    }

    /**
     * A static member joining under a new member id: a new member, or the replacement of its earlier incarnation,
     * which must have left with epoch -2 (it hands over its epoch and partitions, and the group epoch stays).
     *
     * @return the member, or null if the earlier incarnation is still active (UNRELEASED_INSTANCE_ID)
     */
    private ConsumerGroupMember replaceStaticMember(ConsumerGroup group, String memberId, String instanceId) {
        ConsumerGroupMember member = new ConsumerGroupMember(memberId, instanceId);
        ConsumerGroupMember old = instanceId == null ? null
            : group.members.get(group.staticMembers.getOrDefault(instanceId, ""));
        if (old == null) {
            return member;
        }
        if (!old.leftStatically) {
            return null;
        }
        member.assignment = old.assignment;
        member.subscribedTopicNames = old.subscribedTopicNames;
        member.subscribedTopicRegex = old.subscribedTopicRegex;
        member.subscribedTopicPattern = old.subscribedTopicPattern;
        member.serverAssignor = old.serverAssignor;
        member.rebalanceTimeoutMs = old.rebalanceTimeoutMs;
        cancelTimers(old);
        group.release(old.memberId, old.assignment);
        group.members.remove(old.memberId);
        group.updateOwners(memberId, MemberAssignment.NEW_MEMBER, member.assignment);
        Map<String, Map<Uuid, Set<Integer>>> target = new HashMap<>(group.targetAssignment);
        Map<Uuid, Set<Integer>> oldTarget = target.remove(old.memberId);
        if (oldTarget != null) {
            target.put(memberId, oldTarget);
        }
        group.targetAssignment = Map.copyOf(target);
        group.members.put(memberId, member);
        group.staticMembers.put(instanceId, memberId);
        log.info("Static member {} of consumer group {} is back as {}", instanceId, group.groupId, memberId);
        return member;
    }

    private ConsumerGroupHeartbeatResponseData leave(ConsumerGroupHeartbeatRequestData request) {
        ConsumerGroup group = groups.get(request.groupId());
        String memberId = request.memberId();
        ConsumerGroupMember member = group == null ? null : group.members.get(memberId);
        if (member == null) {
            return error(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + request.groupId()
                + ".");
        }
        if (request.memberEpoch() == STATIC_LEAVE_EPOCH) {
            if (!memberId.equals(group.staticMembers.get(request.instanceId()))) {
                return error(Errors.FENCED_INSTANCE_ID, "Instance id " + request.instanceId()
                    + " belongs to another member.");
            }
            // It keeps its partitions for its session timeout, so that a quick restart moves nothing.
            member.leftStatically = true;
            log.info("Static member {} of consumer group {} leaves for now", request.instanceId(), group.groupId);
        } else {
            removeMember(group, member, "left");
        }
        return new ConsumerGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(request.memberEpoch())
            .setHeartbeatIntervalMs(0);
    }

    private static ConsumerGroupHeartbeatResponseData error(Errors error, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    // ---------------------------------------------------------------- epochs, target assignment, reconciliation

    /**
     * Moves the group to a new epoch, and computes the target assignment of that epoch, if the membership or a
     * subscription changed ({@code changed}) or if a subscribed topic appeared, disappeared or grew.
     */
    private void maybeBumpEpoch(ConsumerGroup group, boolean changed) {
        MetadataImage image = metadata.get();
        if (changed || image != group.resolvedAgainst) {
            Map<String, SubscribedTopic> resolved = TopicSubscriptions.resolve(group.members.values(), image);
            group.resolvedAgainst = image;
            if (!resolved.equals(group.subscribedTopics)) {
                group.subscribedTopics = resolved;
                changed = true;
            }
        }
        if (changed) {
            group.groupEpoch++;
            group.epochChangedAtMs = timer.nowMs();
            computeTargetAssignment(group);
        }
    }

    private void computeTargetAssignment(ConsumerGroup group) {
        PartitionAssignor assignor = chooseAssignor(group);
        Map<Uuid, Integer> partitionCounts = new HashMap<>();
        group.subscribedTopics.values().forEach(t -> partitionCounts.put(t.topicId(), t.partitionCount()));
        TreeMap<String, AssignmentSpec.Member> members = new TreeMap<>();
        for (ConsumerGroupMember m : group.members.values()) {
            members.put(m.memberId, new AssignmentSpec.Member(m.instanceId,
                TopicSubscriptions.topicIdsOf(m, group.subscribedTopics), group.targetOf(m.memberId)));
        }
        group.targetAssignment = members.isEmpty() ? Map.of()
            : Map.copyOf(assignor.assign(new AssignmentSpec(members, partitionCounts)));
        group.assignorName = assignor.name();
        group.assignmentEpoch = group.groupEpoch;
    }

    /** Kafka's choice: the assignor most members ask for, else the broker's default. */
    private PartitionAssignor chooseAssignor(ConsumerGroup group) {
        Map<String, Integer> votes = new HashMap<>();
        for (ConsumerGroupMember m : group.members.values()) {
            if (m.serverAssignor != null) {
                votes.merge(m.serverAssignor, 1, Integer::sum);
            }
        }
        return votes.entrySet().stream()
            .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
            .map(e -> assignors.get(e.getKey()))
            .orElse(assignors.defaultAssignor());
    }

    private void reconcile(ConsumerGroup group, ConsumerGroupMember member, Map<Uuid, Set<Integer>> owned) {
        MemberAssignment before = member.assignment;
        MemberAssignment after = Reconciliation.next(member.memberId, before, group.assignmentEpoch,
            group.targetOf(member.memberId), owned, group::ownerOf);
        if (after.equals(before)) {
            return;
        }
        group.updateOwners(member.memberId, before, after);
        member.assignment = after;
        boolean revoking = after.state() == MemberState.UNREVOKED_PARTITIONS;
        boolean wasRevoking = before.state() == MemberState.UNREVOKED_PARTITIONS;
        if (revoking && !wasRevoking) {
            scheduleRebalanceTimeout(group, member);
        } else if (!revoking && member.rebalanceTimer != null) {
            member.rebalanceTimer.cancel();
            member.rebalanceTimer = null;
        }
    }

    // ---------------------------------------------------------------- timers

    private void scheduleRebalanceTimeout(ConsumerGroup group, ConsumerGroupMember member) {
        if (member.rebalanceTimer != null) {
            member.rebalanceTimer.cancel();
        }
        String groupId = group.groupId;
        int epoch = member.assignment.memberEpoch();
        member.rebalanceTimer = timer.schedule(member.rebalanceTimeoutMs,
            () -> onRebalanceTimeout(groupId, member, epoch));
    }

    private synchronized void onRebalanceTimeout(String groupId, ConsumerGroupMember member, int epoch) {
        ConsumerGroup group = groups.get(groupId);
        if (group != null && group.members.get(member.memberId) == member
            && member.assignment.state() == MemberState.UNREVOKED_PARTITIONS
            && member.assignment.memberEpoch() == epoch) {
            member.rebalanceTimer = null;
            removeMember(group, member, "did not revoke its partitions within its rebalance timeout");
            persist(groupId, error -> { });
        }
    }

    private void touchSession(ConsumerGroup group, ConsumerGroupMember member) {
        member.sessionDeadlineMs = timer.nowMs() + config.sessionTimeoutMs();
        if (member.sessionTimer == null) {
            String groupId = group.groupId;
            member.sessionTimer = timer.schedule(config.sessionTimeoutMs(), () -> onSessionTimer(groupId, member));
        }
    }

    private synchronized void onSessionTimer(String groupId, ConsumerGroupMember member) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null || group.members.get(member.memberId) != member) {
            return;
        }
        long now = timer.nowMs();
        if (now < member.sessionDeadlineMs) {
            member.sessionTimer = timer.schedule(member.sessionDeadlineMs - now,
                () -> onSessionTimer(groupId, member));
            return;
        }
        member.sessionTimer = null;
        removeMember(group, member, "session timed out");
        persist(groupId, error -> { });
    }

    private static void cancelTimers(ConsumerGroupMember member) {
        if (member.sessionTimer != null) {
            member.sessionTimer.cancel();
            member.sessionTimer = null;
        }
        if (member.rebalanceTimer != null) {
            member.rebalanceTimer.cancel();
            member.rebalanceTimer = null;
        }
    }

    /** Removes a member: its partitions are free at once, and the group moves to a new epoch. */
    private void removeMember(ConsumerGroup group, ConsumerGroupMember member, String why) {
        cancelTimers(member);
        group.release(member.memberId, member.assignment);
        group.members.remove(member.memberId);
        if (member.instanceId != null && member.memberId.equals(group.staticMembers.get(member.instanceId))) {
            group.staticMembers.remove(member.instanceId);
        }
        Map<String, Map<Uuid, Set<Integer>>> target = new HashMap<>(group.targetAssignment);
        target.remove(member.memberId);
        group.targetAssignment = Map.copyOf(target);
        if (group.members.isEmpty()) {
            group.emptySinceMs = timer.nowMs();
        }
        log.info("Member {} of consumer group {} removed: {}", member.memberId, group.groupId, why);
        maybeBumpEpoch(group, true);
    }

    // ---------------------------------------------------------------- admin APIs and offsets

    public synchronized boolean isConsumerGroup(String groupId) {
        return groups.containsKey(groupId);
    }

    /** ConsumerGroupDescribe of one group: GROUP_ID_NOT_FOUND for unknown and classic groups. */
    public synchronized DescribedGroup describe(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return new DescribedGroup().setGroupId(groupId).setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                .setErrorMessage("Group " + groupId + " is not a consumer group.");
        }
        return ConsumerGroupDescriptions.describe(group, metadata.get());
    }

    public synchronized List<ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        List<ListedGroup> listed = new ArrayList<>();
        for (ConsumerGroup group : groups.values()) {
            ListedGroup row = ConsumerGroupDescriptions.listed(group);
            if (ConsumerGroupDescriptions.matches(row, statesFilter, typesFilter)) {
                listed.add(row);
            }
        }
        return listed;
    }

    /**
     * OffsetCommit's check for a consumer group, or null if {@code groupId} is not one. Kafka's rules: a commit
     * without a member (epoch below 0) only while the group has no members; otherwise the member must exist, use
     * OffsetCommit v9 or later, and send its current epoch, or an older one for partitions it has owned since
     * ({@link MemberEpochChecks#offsetCommit}).
     *
     * @param partitions the partitions committed, by topic id
     */
    public synchronized Errors validateOffsetCommit(String groupId, String memberId, int memberEpoch,
                                                    short apiVersion, Map<Uuid, Set<Integer>> partitions) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return null;
        }
        if (memberEpoch < 0 && group.members.isEmpty()) {
            return Errors.NONE;
        }
        ConsumerGroupMember member = memberId == null ? null : group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (apiVersion < 9) {
            return Errors.UNSUPPORTED_VERSION;
        }
        return MemberEpochChecks.offsetCommit(member, memberEpoch, partitions);
    }

    /** OffsetFetch's check (v9+): a member that names itself must exist and send its current epoch. */
    public synchronized Errors validateOffsetFetch(String groupId, String memberId, int memberEpoch) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null || (memberEpoch < 0 && memberId == null)) {
            return Errors.NONE;
        }
        ConsumerGroupMember member = memberId == null ? null : group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return MemberEpochChecks.offsetFetch(member, memberEpoch);
    }

    /** The topics the members subscribe to (OffsetDelete refuses them), or null if not a consumer group. */
    public synchronized Set<String> subscribedTopicNames(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        return group == null ? null : Set.copyOf(group.subscribedTopics.keySet());
    }

    /** What offsets retention needs to know of a consumer group: its members' subscribed topics, or when it emptied. */
    public synchronized GroupActivity activity(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null || group.members.isEmpty()) {
            return new GroupActivity(false, group == null ? -1 : group.emptySinceMs, Set.of());
        }
        return new GroupActivity(true, -1, Set.copyOf(group.subscribedTopics.keySet()));
    }

    /** Forgets an Empty group whose offsets have all expired, as Kafka does. */
    public synchronized void removeIfEmpty(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group != null && group.members.isEmpty()) {
            groups.remove(groupId);
            persist(groupId, error -> { });
        }
    }

    /**
     * Forgets every Empty group that has no committed offsets, as Kafka's periodic group cleanup does, every
     * {@code intervalMs} on this coordinator's timer until it is closed.
     */
    public void scheduleCleanup(Predicate<String> hasOffsets, long intervalMs) {
        timer.schedule(intervalMs, () -> {
            removeEmptyGroupsWithoutOffsets(hasOffsets);
            scheduleCleanup(hasOffsets, intervalMs);
        });
    }

    void removeEmptyGroupsWithoutOffsets(Predicate<String> hasOffsets) {
        // The offsets are asked outside this lock: the offsets' own lock is never taken inside it.
        for (String groupId : emptyGroupIds()) {
            if (!hasOffsets.test(groupId)) {
                removeIfEmpty(groupId);
            }
        }
    }

    private synchronized List<String> emptyGroupIds() {
        List<String> empty = new ArrayList<>();
        groups.forEach((groupId, group) -> {
            if (group.members.isEmpty()) {
                empty.add(groupId);
            }
        });
        return empty;
    }

    /** DeleteGroups: only an Empty group goes (NON_EMPTY_GROUP otherwise). */
    public synchronized Errors deleteGroup(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!group.members.isEmpty()) {
            return Errors.NON_EMPTY_GROUP;
        }
        groups.remove(groupId);
        persist(groupId, error -> { });
        return Errors.NONE;
    }

    /**
     * Runs a classic-protocol action on {@code groupId} unless a consumer group with members has that id (then
     * INCONSISTENT_GROUP_PROTOCOL, as Kafka answers a classic JoinGroup there). An Empty consumer group gives its id
     * up to the classic protocol, as in Kafka.
     */
    public synchronized Errors runAsClassicGroup(String groupId, Runnable classicAction) {
        ConsumerGroup group = groups.get(groupId);
        if (group != null && !group.members.isEmpty()) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        groups.remove(groupId);
        persist(groupId, error -> { });
        classicAction.run();
        return Errors.NONE;
    }

    /** Runs {@code action} only if {@code groupId} is not a consumer group, atomically with that check. */
    public synchronized void unlessConsumerGroup(String groupId, Runnable action) {
        if (!groups.containsKey(groupId)) {
            action.run();
        }
    }

    public void close() {
        timer.close();
    }
}
