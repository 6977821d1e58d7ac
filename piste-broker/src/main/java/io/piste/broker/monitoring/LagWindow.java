package io.piste.broker.monitoring;

import io.piste.broker.group.PartitionLag;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One group's last {@code size} observations of its committed offsets and lag per partition, and the status Burrow's
 * rules give them:
 *
 * <ol>
 *   <li>lag 0 on every partition now: OK;
 *   <li>no member and lag: STOPPED;
 *   <li>fewer than {@code size} observations: OK (not enough to judge a trend);
 *   <li>per partition over the window: a lag of 0 in any observation is OK; a committed offset that did not move
 *       with lag in every observation is STALLED; a lag that never fell and ended higher than it started is WARN;
 *       anything else OK. The group takes its worst partition's status.
 * </ol>
 *
 * An observation less than {@code minIntervalMs} after the window's last one is not added (two scrapers must not
 * halve the window's span). Pure (no clock, no broker state): the broker's scrapes feed it through
 * {@link GroupLagWindows}, and {@code piste group describe} feeds it samples taken through the Admin API, so both judge
 * with these rules. Not thread-safe: the caller serialises calls.
 */
public final class LagWindow {

    private record Observation(long timeMs, Map<TopicPartition, PartitionLag> lags) {}

    private final int size;
    private final long minIntervalMs;
    private final ArrayDeque<Observation> window = new ArrayDeque<>();

    /**
     * @param size          observations in the window (at least 2): a trend needs two
     * @param minIntervalMs an observation closer than this to the window's last one is not added
     */
    public LagWindow(int size, long minIntervalMs) {
        if (size < 2) {
            throw new IllegalArgumentException("a lag window needs at least 2 observations: size=" + size);
        }
        this.size = size;
        this.minIntervalMs = minIntervalMs;
    }

    /** Adds the group's lags at {@code timeMs} (one per partition it committed for) to the window. */
    public void observe(long timeMs, List<PartitionLag> lags) {
        Observation last = window.peekLast();
        if (last != null && timeMs - last.timeMs() < minIntervalMs) {
            return;
        }
        Map<TopicPartition, PartitionLag> byPartition = new HashMap<>();
        for (PartitionLag lag : lags) {
            byPartition.put(lag.partition(), lag);
        }
        window.addLast(new Observation(timeMs, byPartition));
        while (window.size() > size) {
            window.removeFirst();
        }
    }

    /** The status after the observations so far, for a group that has members or not now. */
    public LagStatus evaluate(boolean hasMembers) {
        Observation latest = window.peekLast();
        if (latest == null || totalLag(latest) == 0) {
            return LagStatus.OK;
        }
        if (!hasMembers) {
            return LagStatus.STOPPED;
        }
        if (window.size() < size) {
            return LagStatus.OK;
        }
        LagStatus status = LagStatus.OK;
        for (TopicPartition partition : latest.lags().keySet()) {
            status = status.worst(evaluate(partition));
        }
        return status;
    }

    private LagStatus evaluate(TopicPartition partition) {
        PartitionLag first = null;
        PartitionLag previous = null;
        boolean neverFell = true;
        for (Observation observation : window) {
            PartitionLag lag = observation.lags().get(partition);
            if (lag == null) {
                return LagStatus.OK; // not committed for over the whole window: no trend yet
            }
            if (lag.lag() == 0) {
                return LagStatus.OK;
            }
            if (previous != null && lag.lag() < previous.lag()) {
                neverFell = false;
            }
            if (first == null) {
                first = lag;
            }
            previous = lag;
        }
        if (first.committedOffset() == previous.committedOffset()) {
            return LagStatus.STALLED;
        }
        return neverFell && previous.lag() > first.lag() ? LagStatus.WARN : LagStatus.OK;
    }

    private static long totalLag(Observation observation) {
        long total = 0;
        for (PartitionLag lag : observation.lags().values()) {
            total += lag.lag();
        }
        return total;
    }
}
