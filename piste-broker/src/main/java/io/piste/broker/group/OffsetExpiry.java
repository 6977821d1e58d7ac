package io.piste.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offsets retention ({@code offsets.retention.minutes}), run every {@code offsets.retention.check.interval.ms}:
 * <ul>
 *   <li>a group without members loses an offset once the retention has passed since the later of the moment it
 *       became empty and the offset's commit (Kafka counts from the first alone; the later one keeps an offset
 *       reset by hand in an empty group for a full retention);</li>
 *   <li>a Stable consumer group loses only the offsets of topics none of its members subscribes to, counted
 *       from their commit;</li>
 *   <li>other groups with members (rebalancing, or of another protocol type) keep every offset.</li>
 * </ul>
 * An empty group whose last offset expired is forgotten at the next run. Tombstones go through
 * {@link GroupOffsets}, so the deletion is durable and replayed like any commit.
 */
public final class OffsetExpiry {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetExpiry.class);

    private final GroupOffsets offsets;
    private final Function<String, GroupActivity> activity;
    private final Consumer<String> forgetGroup;
    private final long retentionMs;
    /** Groups whose last expiry left them without offsets, to forget at the next run. */
    private final Queue<String> emptied = new ConcurrentLinkedQueue<>();

    /**
     * @param activity    a group's membership, by group id
     * @param forgetGroup called for a group without members once its last offset is deleted
     */
    public OffsetExpiry(
            GroupOffsets offsets,
            Function<String, GroupActivity> activity,
            Consumer<String> forgetGroup,
            long retentionMs) {
        this.offsets = offsets;
        this.activity = activity;
        this.forgetGroup = forgetGroup;
        this.retentionMs = retentionMs;
    }

    /** Runs {@link #expire} every {@code intervalMs} on the timer's thread until the timer is closed. */
    public void schedule(GroupTimer timer, long intervalMs) {
        timer.schedule(intervalMs, () -> {
            try {
                long started = System.nanoTime();
                int expired = expire(timer.nowMs());
                if (expired > 0) {
                    LOG.info("Removed {} expired offsets in {} ms", expired, (System.nanoTime() - started) / 1_000_000);
                }
            } catch (RuntimeException e) {
                LOG.error("Offsets retention run failed; trying again in {} ms", intervalMs, e);
            } finally {
                schedule(timer, intervalMs);
            }
        });
    }

    /**
     * Forgets the groups emptied by the previous run, then deletes the offsets expired at {@code nowMs}; returns
     * how many. Groups are forgotten here rather than when the tombstones are durable: that callback may run while
     * the offsets' lock is held, and forgetting takes the coordinator's.
     */
    public int expire(long nowMs) {
        List<String> awaitingTransactions = new ArrayList<>();
        for (String groupId = emptied.poll(); groupId != null; groupId = emptied.poll()) {
            if (offsets.hasOffsets(groupId) || offsets.hasWriteInFlight(groupId)) {
                continue;
            }
            if (offsets.hasPendingTransactionalOffsets(groupId)) {
                // Kept while a transaction holds offsets of it, as in Kafka; looked at again at the next run.
                awaitingTransactions.add(groupId);
            } else {
                forgetGroup.accept(groupId);
            }
        }
        emptied.addAll(awaitingTransactions);
        int expired = 0;
        for (String groupId : offsets.groupIds()) {
            GroupActivity group = activity.apply(groupId);
            expired += offsets.expire(groupId, (tp, offset) -> isExpired(group, tp.topic(), offset, nowMs), error -> {
                if (error == Errors.NONE && !group.hasMembers()) {
                    emptied.add(groupId);
                }
            });
        }
        return expired;
    }

    private boolean isExpired(GroupActivity group, String topic, CommittedOffset offset, long nowMs) {
        if (!group.hasMembers()) {
            return nowMs - Math.max(group.emptySinceMs(), offset.commitTimestampMs()) >= retentionMs;
        }
        if (group.subscribedTopics() == null || group.subscribedTopics().contains(topic)) {
            return false;
        }
        return nowMs - offset.commitTimestampMs() >= retentionMs;
    }
}
