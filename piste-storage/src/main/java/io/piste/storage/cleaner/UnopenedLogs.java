package io.piste.storage.cleaner;

import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.log.CompactionProbe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cleaner's look at the compacted logs not opened since the start (logs open at their first use, and a changelog
 * nobody reads would otherwise never be compacted): each is measured once from its files ({@link CompactionProbe}:
 * they do not change while it stays closed) and opened only when that measure says it must be cleaned, by
 * {@code min.cleanable.dirty.ratio} or {@code max.compaction.lag.ms} (checked each round against the settings and the
 * clock of that round). Once open, it is one of the open logs and measured exactly. Threads: the cleaner's choice, one
 * at a time.
 */
final class UnopenedLogs {
    private static final Logger LOG = LoggerFactory.getLogger(UnopenedLogs.class);

    private final Map<TopicPartitionKey, CompactionProbe.Measure> measured = new HashMap<>();

    /** Opens and returns those of {@code source}'s unopened logs whose files say they must be cleaned. */
    List<CleanableLog> openCleanable(LogCleaner.LogSource source, CleanerCheckpoints checkpoints, long nowMs) {
        List<CleanableLog> opened = new ArrayList<>();
        Set<TopicPartitionKey> listed = new HashSet<>();
        source.forEachUnopened(log -> {
            listed.add(log.partition());
            try {
                CompactionProbe.Measure m = measured.get(log.partition());
                if (m == null) {
                    long firstDirty = checkpoints.firstDirtyOffset(log.dir().getParent(), log.partition());
                    m = CompactionProbe.measure(log.dir(), log.logStartOffset(), firstDirty);
                    measured.put(log.partition(), m);
                }
                if (mustClean(m, log.settings(), nowMs)) {
                    measured.remove(log.partition());
                    CleanableLog cleanable = log.opener().open();
                    if (cleanable != null) {
                        opened.add(cleanable);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not look at {} for cleaning: {}", log.partition(), e.toString());
            }
        });
        measured.keySet().retainAll(listed);
        return opened;
    }

    /** As {@link CleaningCandidate#shouldClean}, from what the files say. */
    static boolean mustClean(CompactionProbe.Measure m, CleanerSettings settings, long nowMs) {
        if (m.dirtyBytes() == 0) {
            return false;
        }
        double ratio = (double) m.dirtyBytes() / (m.cleanBytes() + m.dirtyBytes());
        boolean overdue = settings.maxCompactionLagMs() < Long.MAX_VALUE
                && m.firstDirtyBatchTimestampMs() >= 0
                && m.firstDirtyBatchTimestampMs() < nowMs - settings.maxCompactionLagMs();
        return overdue || ratio >= settings.minCleanableDirtyRatio();
    }
}
