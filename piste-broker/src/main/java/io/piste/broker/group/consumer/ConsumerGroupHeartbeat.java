package io.piste.broker.group.consumer;

import io.piste.broker.group.GroupTimer;
import io.piste.broker.metadata.MetadataImage;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ConsumerGroupHeartbeat and the reconciliation it drives. Each heartbeat: checks the member and its epoch, applies
 * its subscription, moves the group to a new epoch and computes a new target assignment if what the assignment
 * depends on changed, then takes the member one {@link Reconciliation} step towards its target and gives the answer:
 * its epoch and (when it changed) its assignment.
 *
 * <p>Called by the {@link ConsumerGroupCoordinator} under its lock, which also runs the member timers
 * ({@link MemberTimers}) and writes the groups; this class neither locks nor answers.
 */
final class ConsumerGroupHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupHeartbeat.class);

    /** The members' timers, kept by the coordinator: their expiry comes back through its lock. */
    interface MemberTimers {
        /** The member heartbeated: its session timeout starts again. */
        void touchSession(ConsumerGroup group, ConsumerGroupMember member);

        /** The member has partitions to revoke: it must do so within its rebalance timeout. */
        void scheduleRebalanceTimeout(ConsumerGroup group, ConsumerGroupMember member);
    }

    private final ConsumerGroupConfig config;
    private final Assignors assignors;
    private final GroupTimer clock;
    private final Supplier<MetadataImage> metadata;
    private final ConsumerGroupCoordinator.ClassicGroups classicGroups;
    private final Map<String, ConsumerGroup> groups;
    private final MemberTimers timers;

    /** @param groups the coordinator's groups, read and changed under its lock */
    ConsumerGroupHeartbeat(
            ConsumerGroupConfig config,
            GroupTimer clock,
            Supplier<MetadataImage> metadata,
            ConsumerGroupCoordinator.ClassicGroups classicGroups,
            Map<String, ConsumerGroup> groups,
            MemberTimers timers) {
        this.config = config;
        this.assignors = new Assignors(config.assignors());
        this.clock = clock;
        this.metadata = metadata;
        this.classicGroups = classicGroups;
        this.groups = groups;
        this.timers = timers;
    }

    /** The heartbeat's answer; the group's changes are made, not yet written. */
    ConsumerGroupHeartbeatResponseData heartbeat(
            ConsumerGroupHeartbeatRequestData request, short version, String clientId, String clientHost) {
        ApiError invalid = HeartbeatRequestCheck.check(request, version, clientId, assignors);
        if (invalid != null) {
            return error(invalid.error(), invalid.message());
        }
        int epoch = request.memberEpoch();
        if (epoch == ConsumerGroupCoordinator.LEAVE_EPOCH || epoch == ConsumerGroupCoordinator.STATIC_LEAVE_EPOCH) {
            return leave(request);
        }
        String groupId = request.groupId();
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            if (epoch != 0) {
                // The group was deleted, or its state was never written: the member rejoins on this answer.
                return error(
                        Errors.UNKNOWN_MEMBER_ID,
                        "Group " + groupId + " has no member " + request.memberId() + "; rejoin with member epoch 0.");
            }
            if (!classicGroups.removeIfEmpty(groupId)) {
                return error(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a consumer group.");
            }
            group = new ConsumerGroup(groupId);
            groups.put(groupId, group);
        }
        String memberId = request.memberId() == null || request.memberId().isEmpty()
                ? Uuid.randomUuid().toString()
                : request.memberId();
        Map<Uuid, Set<Integer>> owned = Partitions.fromRequest(request.topicPartitions());
        ConsumerGroupMember member;
        boolean joined = false;
        if (epoch == 0) {
            member = group.members.get(memberId);
            if (member == null) {
                member = newOrReplacingMember(group, memberId, request.instanceId());
                if (member == null) {
                    return error(
                            Errors.UNRELEASED_INSTANCE_ID,
                            "Static member with instance id " + request.instanceId() + " is still active in group "
                                    + groupId + ".");
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
                return error(
                        Errors.FENCED_INSTANCE_ID,
                        "Instance id " + request.instanceId() + " belongs to another member.");
            }
            Errors fenced = MemberEpochChecks.heartbeat(member, epoch, owned);
            if (fenced != Errors.NONE) {
                return error(
                        fenced,
                        "Member " + memberId + " sent epoch " + epoch + "; its epoch is "
                                + member.assignment.memberEpoch() + ".");
            }
        }
        if (joined && group.members.size() >= config.maxSize()) {
            return error(
                    Errors.GROUP_MAX_SIZE_REACHED,
                    "The consumer group has reached its maximum capacity of " + config.maxSize() + " members.");
        }
        if (joined) {
            group.addMember(member);
            log.info("Member {} joins consumer group {}", memberId, groupId);
        }
        boolean changed = member.update(request, clientId, clientHost) || joined;
        maybeBumpEpoch(group, changed);
        MemberAssignment before = member.assignment;
        reconcile(group, member, owned);
        timers.touchSession(group, member);
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(memberId)
                .setMemberEpoch(member.assignment.memberEpoch())
                .setHeartbeatIntervalMs(
                        config.heartbeatIntervalMs(group.isChanging(clock.nowMs(), config.heartbeatIntervalMs())));
        MemberAssignment after = member.assignment;
        if (epoch == 0 || !after.equals(before) || (owned != null && !owned.equals(after.assigned()))) {
            response.setAssignment(new ConsumerGroupHeartbeatResponseData.Assignment()
                    .setTopicPartitions(Partitions.toResponse(after.assigned())));
        }
        return response;
    }

    /**
     * A member joining under a new member id: a new member (not in the group yet), or, for a static member, the
     * replacement of its earlier incarnation, which must have left with epoch -2 (it hands over its epoch and
     * partitions, and the group epoch stays).
     *
     * @return the member, or null if the earlier incarnation is still active (UNRELEASED_INSTANCE_ID)
     */
    private ConsumerGroupMember newOrReplacingMember(ConsumerGroup group, String memberId, String instanceId) {
        ConsumerGroupMember old =
                instanceId == null ? null : group.members.get(group.staticMembers.getOrDefault(instanceId, ""));
        if (old == null) {
            return new ConsumerGroupMember(memberId, instanceId);
        }
        if (!old.leftStatically) {
            return null;
        }
        ConsumerGroupMember member = group.replaceStaticMember(old, memberId);
        log.info("Static member {} of consumer group {} is back as {}", instanceId, group.groupId, memberId);
        return member;
    }

    private ConsumerGroupHeartbeatResponseData leave(ConsumerGroupHeartbeatRequestData request) {
        ConsumerGroup group = groups.get(request.groupId());
        String memberId = request.memberId();
        ConsumerGroupMember member = group == null ? null : group.members.get(memberId);
        if (member == null) {
            return error(
                    Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + request.groupId() + ".");
        }
        if (request.memberEpoch() == ConsumerGroupCoordinator.STATIC_LEAVE_EPOCH) {
            if (!memberId.equals(group.staticMembers.get(request.instanceId()))) {
                return error(
                        Errors.FENCED_INSTANCE_ID,
                        "Instance id " + request.instanceId() + " belongs to another member.");
            }
            // It keeps its partitions for its session timeout, so that a quick restart moves nothing.
            member.leftStatically = true;
            log.info("Static member {} of consumer group {} leaves for now", request.instanceId(), group.groupId);
        } else {
            removeMember(group, member, "left");
        }
        return new ConsumerGroupHeartbeatResponseData()
                .setMemberId(memberId)
                .setMemberEpoch(request.memberEpoch())
                .setHeartbeatIntervalMs(0);
    }

    static ConsumerGroupHeartbeatResponseData error(Errors error, String message) {
        return new ConsumerGroupHeartbeatResponseData()
                .setErrorCode(error.code())
                .setErrorMessage(message);
    }

    /** Removes a member (it left, or a timer expired it): its partitions are free at once, the group moves on. */
    void removeMember(ConsumerGroup group, ConsumerGroupMember member, String why) {
        group.removeMember(member, clock.nowMs());
        log.info("Member {} of consumer group {} removed: {}", member.memberId, group.groupId, why);
        maybeBumpEpoch(group, true);
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
            PartitionAssignor assignor = chooseAssignor(group);
            group.bumpEpoch(targetAssignment(group, assignor), assignor.name(), clock.nowMs());
        }
    }

    private static Map<String, Map<Uuid, Set<Integer>>> targetAssignment(
            ConsumerGroup group, PartitionAssignor assignor) {
        Map<Uuid, Integer> partitionCounts = new HashMap<>();
        group.subscribedTopics.values().forEach(t -> partitionCounts.put(t.topicId(), t.partitionCount()));
        TreeMap<String, AssignmentSpec.Member> members = new TreeMap<>();
        for (ConsumerGroupMember m : group.members.values()) {
            members.put(
                    m.memberId,
                    new AssignmentSpec.Member(
                            m.instanceId,
                            TopicSubscriptions.topicIdsOf(m, group.subscribedTopics),
                            group.targetOf(m.memberId)));
        }
        return members.isEmpty() ? Map.of() : Map.copyOf(assignor.assign(new AssignmentSpec(members, partitionCounts)));
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
        MemberAssignment after = Reconciliation.next(
                member.memberId, before, group.assignmentEpoch, group.targetOf(member.memberId), owned, group::ownerOf);
        if (after.equals(before)) {
            return;
        }
        group.reassign(member, after);
        boolean revoking = after.state() == MemberState.UNREVOKED_PARTITIONS;
        boolean wasRevoking = before.state() == MemberState.UNREVOKED_PARTITIONS;
        if (revoking && !wasRevoking) {
            timers.scheduleRebalanceTimeout(group, member);
        } else if (!revoking && member.rebalanceTimer != null) {
            member.rebalanceTimer.cancel();
            member.rebalanceTimer = null;
        }
    }
}
