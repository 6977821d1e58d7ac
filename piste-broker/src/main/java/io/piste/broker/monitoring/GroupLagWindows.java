package io.piste.broker.monitoring;

import io.piste.broker.group.PartitionLag;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every group's {@link LagWindow}, fed at each scrape with the groups' lags: a group that no longer has committed
 * offsets loses its window. Thread-safe (one scrape at a time).
 */
final class GroupLagWindows {

    /** Burrow's default window: 10 observations. */
    static final int DEFAULT_SIZE = 10;
    /** Scrapes closer together than this count once in a window. */
    static final long DEFAULT_MIN_INTERVAL_MS = 1_000;

    private final int size;
    private final long minIntervalMs;
    private final Map<String, LagWindow> windows = new HashMap<>();

    GroupLagWindows(int size, long minIntervalMs) {
        this.size = size;
        this.minIntervalMs = minIntervalMs;
    }

    /**
     * Observes each group's lags (by group) at {@code timeMs} and returns each group's status; {@code hasMembers}
     * tells whether a group has members now.
     */
    synchronized Map<String, LagStatus> observe(
            long timeMs, Map<String, List<PartitionLag>> lagsByGroup, Predicate<String> hasMembers) {
        windows.keySet().retainAll(lagsByGroup.keySet());
        Map<String, LagStatus> statuses = new HashMap<>();
        lagsByGroup.forEach((groupId, lags) -> {
            LagWindow window = windows.computeIfAbsent(groupId, g -> new LagWindow(size, minIntervalMs));
            window.observe(timeMs, lags);
            statuses.put(groupId, window.evaluate(hasMembers.test(groupId)));
        });
        return statuses;
    }
}
