package io.piste.broker.group.consumer;

import io.piste.broker.group.ConsumerGroupLog;
import io.piste.broker.group.DeferredResponses;
import io.piste.broker.group.GroupActivity;
import io.piste.broker.group.GroupTimer;
import io.piste.broker.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of KIP-848 consumer groups, this node coordinating all of them: it runs ConsumerGroupHeartbeat
 * ({@link ConsumerGroupHeartbeat} makes each heartbeat's changes and answer) and answers once the group's new state
 * is written, runs the members' timers, restores groups at start-up, and serves the admin APIs and the offsets'
 * checks of consumer groups. Members are removed when they leave, when their session times out
 * ({@code group.consumer.session.timeout.ms}) and when they do not revoke partitions within their rebalance timeout.
 *
 * <p>Thread-safe: one lock guards every consumer group, and no answer is given under it. Classic groups live in the
 * classic coordinator; a group id is one or the other. When both locks are needed this lock is taken first.
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
    private final GroupTimer timer;
    private final Supplier<MetadataImage> metadata;
    private final ConsumerGroupWriter writer;
    private final Map<String, ConsumerGroup> groups = new LinkedHashMap<>();
    private final ConsumerGroupHeartbeat heartbeats;

    /** A coordinator that keeps its groups in memory only. */
    public ConsumerGroupCoordinator(
            ConsumerGroupConfig config,
            GroupTimer timer,
            Supplier<MetadataImage> metadata,
            ClassicGroups classicGroups) {
        this(config, timer, metadata, classicGroups, ConsumerGroupLog.NONE);
    }

    /** @param store where each group's state is written when it changes, so members carry on after a restart */
    public ConsumerGroupCoordinator(
            ConsumerGroupConfig config,
            GroupTimer timer,
            Supplier<MetadataImage> metadata,
            ClassicGroups classicGroups,
            ConsumerGroupLog store) {
        this.config = config;
        this.timer = timer;
        this.metadata = metadata;
        this.writer = new ConsumerGroupWriter(store);
        this.heartbeats = new ConsumerGroupHeartbeat(config, timer, metadata, classicGroups, groups, new Timers());
    }

    /**
     * ConsumerGroupHeartbeat, answered once the group's state it answers from is durable: its own change, or an
     * earlier one still being written (as Kafka answers after its records are committed). If that write fails the
     * member gets COORDINATOR_NOT_AVAILABLE and retries. Never answered under this coordinator's lock: an answer
     * ready before the write call returns is sent after the lock is released; a later one on the thread that
     * completes the write, which holds no lock of this coordinator.
     */
    public void heartbeat(
            ConsumerGroupHeartbeatRequestData request,
            short version,
            String clientId,
            String clientHost,
            Consumer<ConsumerGroupHeartbeatResponseData> respond) {
        DeferredResponses responses = new DeferredResponses();
        synchronized (this) {
            ConsumerGroupHeartbeatResponseData response = heartbeats.heartbeat(request, version, clientId, clientHost);
            Thread caller = Thread.currentThread();
            AtomicBoolean returned = new AtomicBoolean();
            persist(request.groupId(), error -> {
                ConsumerGroupHeartbeatResponseData answer = error == Errors.NONE
                        ? response
                        : ConsumerGroupHeartbeat.error(
                                Errors.COORDINATOR_NOT_AVAILABLE,
                                "The group's new state could not be written: " + error);
                if (!returned.get() && Thread.currentThread() == caller) {
                    responses.add(respond, answer);
                } else {
                    respond.accept(answer);
                }
            });
            returned.set(true);
        }
        responses.send();
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
        group.members.values().forEach(ConsumerGroupMember::cancelTimers);
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

    /** The heartbeat's answer, without waiting for its changes to be written (unit tests). */
    synchronized ConsumerGroupHeartbeatResponseData heartbeat(
            ConsumerGroupHeartbeatRequestData request, short version, String clientId, String clientHost) {
        return heartbeats.heartbeat(request, version, clientId, clientHost);
    }

    // ---------------------------------------------------------------- timers

    private void scheduleRebalanceTimeout(ConsumerGroup group, ConsumerGroupMember member) {
        if (member.rebalanceTimer != null) {
            member.rebalanceTimer.cancel();
        }
        String groupId = group.groupId;
        int epoch = member.assignment.memberEpoch();
        member.rebalanceTimer =
                timer.schedule(member.rebalanceTimeoutMs, () -> onRebalanceTimeout(groupId, member, epoch));
    }

    private synchronized void onRebalanceTimeout(String groupId, ConsumerGroupMember member, int epoch) {
        ConsumerGroup group = groups.get(groupId);
        if (group != null
                && group.members.get(member.memberId) == member
                && member.assignment.state() == MemberState.UNREVOKED_PARTITIONS
                && member.assignment.memberEpoch() == epoch) {
            member.rebalanceTimer = null;
            heartbeats.removeMember(group, member, "did not revoke its partitions within its rebalance timeout");
            persist(groupId, error -> {});
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
            member.sessionTimer = timer.schedule(member.sessionDeadlineMs - now, () -> onSessionTimer(groupId, member));
            return;
        }
        member.sessionTimer = null;
        heartbeats.removeMember(group, member, "session timed out");
        persist(groupId, error -> {});
    }

    /** The members' timers, for the heartbeat handling; their tasks come back through this lock. */
    private final class Timers implements ConsumerGroupHeartbeat.MemberTimers {
        @Override
        public void touchSession(ConsumerGroup group, ConsumerGroupMember member) {
            ConsumerGroupCoordinator.this.touchSession(group, member);
        }

        @Override
        public void scheduleRebalanceTimeout(ConsumerGroup group, ConsumerGroupMember member) {
            ConsumerGroupCoordinator.this.scheduleRebalanceTimeout(group, member);
        }
    }

    // ---------------------------------------------------------------- admin APIs and offsets

    public synchronized boolean isConsumerGroup(String groupId) {
        return groups.containsKey(groupId);
    }

    /** ConsumerGroupDescribe of one group: GROUP_ID_NOT_FOUND for unknown and classic groups. */
    public synchronized DescribedGroup describe(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return new DescribedGroup()
                    .setGroupId(groupId)
                    .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
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
    public synchronized Errors validateOffsetCommit(
            String groupId, String memberId, int memberEpoch, short apiVersion, Map<Uuid, Set<Integer>> partitions) {
        return validateCommit(groupId, memberId, memberEpoch, partitions, apiVersion < 9);
    }

    /**
     * TxnOffsetCommit's check for a consumer group, or null if {@code groupId} is not one: OffsetCommit's rules
     * without its version rule (a transactional producer commits with the consumer's member id and epoch, whatever
     * TxnOffsetCommit version it speaks).
     *
     * @param partitions the partitions committed, by topic id
     */
    public synchronized Errors validateTransactionalOffsetCommit(
            String groupId, String memberId, int memberEpoch, Map<Uuid, Set<Integer>> partitions) {
        return validateCommit(groupId, memberId, memberEpoch, partitions, false);
    }

    /** A commit's member checks; {@code versionTooOld}: UNSUPPORTED_VERSION for a known member (OffsetCommit < v9). */
    private Errors validateCommit(
            String groupId,
            String memberId,
            int memberEpoch,
            Map<Uuid, Set<Integer>> partitions,
            boolean versionTooOld) {
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
        if (versionTooOld) {
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
            persist(groupId, error -> {});
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
        persist(groupId, error -> {});
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
        persist(groupId, error -> {});
        classicAction.run();
        return Errors.NONE;
    }

    /**
     * Forgets the groups {@code ofPartition} accepts (those of a partition of {@code __consumer_offsets} led elsewhere
     * now, or about to be loaded again), their members' timers stopped; returns how many.
     */
    public synchronized int unload(Predicate<String> ofPartition) {
        int unloaded = 0;
        for (Iterator<ConsumerGroup> it = groups.values().iterator(); it.hasNext(); ) {
            ConsumerGroup group = it.next();
            if (ofPartition.test(group.groupId)) {
                group.members.values().forEach(ConsumerGroupMember::cancelTimers);
                writer.forget(group.groupId);
                it.remove();
                unloaded++;
            }
        }
        return unloaded;
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
