package io.piste.broker.group;

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
 *   <li>a consumer group with members loses only the offsets of topics none of them subscribes to, counted from
 *       their commit;</li>
 *   <li>other groups with members keep every offset.</li>
 * </ul>
 * An empty group whose last offset expired is forgotten. Tombstones go through {@link GroupOffsets}, so the
 * deletion is durable and replayed like any commit.
 */
public final class OffsetExpiry {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetExpiry.class);

    private final GroupOffsets offsets;
    private final Function<String, GroupActivity> activity;
    private final Consumer<String> forgetGroup;
    private final long retentionMs;

    /**
     * @param activity    a group's membership, by group id
     * @param forgetGroup called for a group without members once its last offset is deleted
     */
    public OffsetExpiry(GroupOffsets offsets, Function<String, GroupActivity> activity,
                        Consumer<String> forgetGroup, long retentionMs) {
        this.offsets = offsets;
        this.activity = activity;
        this.forgetGroup = forgetGroup;
        this.retentionMs = retentionMs;
    }

    /** Runs {@link #expire} every {@code intervalMs} on the timer's thread until the timer is closed. */
    public void schedule(GroupTimer timer, long intervalMs) {
        timer.schedule(intervalMs, () -> {
            long started = System.nanoTime();
            int expired = expire(timer.nowMs());
            if (expired > 0) {
                LOG.info("Removed {} expired offsets in {} ms", expired, (System.nanoTime() - started) / 1_000_000);
            }
            schedule(timer, intervalMs);
        });
    }

    /** Deletes the offsets expired at {@code nowMs}; returns how many. */
    public int expire(long nowMs) {
        int expired = 0;
        for (String groupId : offsets.groupIds()) {
            GroupActivity group = activity.apply(groupId);
            expired += offsets.expire(groupId, (tp, offset) -> isExpired(group, tp.topic(), offset, nowMs),
                error -> {
                    if (error == Errors.NONE && !group.hasMembers() && !offsets.hasOffsets(groupId)) {
                        forgetGroup.accept(groupId);
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
