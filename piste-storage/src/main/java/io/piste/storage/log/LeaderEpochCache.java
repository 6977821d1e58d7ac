package io.piste.storage.log;

import io.piste.storage.checkpoint.EpochEntry;
import io.piste.storage.checkpoint.LeaderEpochCheckpointFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader epochs of a partition and the first offset of each, persisted to {@code leader-epoch-checkpoint} on
 * every change. A failed write is logged and tolerated: the in-memory list stays the truth and the next change
 * writes the whole file again. Threads: mutations under the log's append lock; reads from any thread (the list is
 * replaced, never modified).
 */
final class LeaderEpochCache {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);

    private final LeaderEpochCheckpointFile file;
    private volatile List<EpochEntry> entries;

    private LeaderEpochCache(LeaderEpochCheckpointFile file, List<EpochEntry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /** Reads the checkpoint; a malformed file is logged and treated as empty. */
    static LeaderEpochCache load(Path dir) {
        LeaderEpochCheckpointFile file =
                new LeaderEpochCheckpointFile(dir.resolve(LeaderEpochCheckpointFile.FILE_NAME));
        List<EpochEntry> entries;
        try {
            entries = file.read();
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable leader epoch checkpoint: file={} reason={}", file.file(), e.getMessage());
            entries = List.of();
        }
        return new LeaderEpochCache(file, entries);
    }

    List<EpochEntry> entries() {
        return entries;
    }

    /** Latest epoch, or -1 if none was recorded. */
    int latestEpoch() {
        List<EpochEntry> e = entries;
        return e.isEmpty() ? -1 : e.get(e.size() - 1).epoch();
    }

    /** Records that {@code epoch} starts at {@code startOffset} if it is newer than the latest epoch. */
    void maybeAssign(int epoch, long startOffset) {
        if (epoch <= latestEpoch()) {
            return;
        }
        List<EpochEntry> next = new ArrayList<>(entries);
        next.add(new EpochEntry(epoch, startOffset));
        entries = List.copyOf(next);
        persist();
    }

    /** Drops epochs starting at or after {@code endOffset} (their data is gone). */
    void truncateFromEnd(long endOffset) {
        List<EpochEntry> next = new ArrayList<>();
        for (EpochEntry e : entries) {
            if (e.startOffset() < endOffset) {
                next.add(e);
            }
        }
        if (next.size() != entries.size()) {
            entries = List.copyOf(next);
            persist();
        }
    }

    /** Forgets every epoch (the log was emptied); persists the empty list. */
    void clear() {
        entries = List.of();
        persist();
    }

    /**
     * Kafka's truncateFromStart: the log now starts at {@code logStartOffset}, so the epochs that started below it
     * are dropped but the last of them, which now starts at {@code logStartOffset} (its data from there on is still
     * in the log). Persists the list if it changed. Call only once {@code logStartOffset} is durable (the
     * {@code log-start-offset-checkpoint}): a file trimmed past a log start offset that a crash takes back would
     * claim that the records left below it belong to a later epoch. The other order is safe: a crash after the log
     * start offset is durable and before this file is rewritten leaves the old list, trimmed again at the next open.
     */
    void truncateFromStart(long logStartOffset) {
        List<EpochEntry> current = entries;
        List<EpochEntry> next = new ArrayList<>(current.size());
        EpochEntry lastBelow = null;
        for (EpochEntry e : current) {
            if (e.startOffset() < logStartOffset) {
                lastBelow = e;
            } else {
                next.add(e);
            }
        }
        if (lastBelow == null) {
            return;
        }
        if (next.isEmpty() || next.get(0).startOffset() > logStartOffset) {
            next.add(0, new EpochEntry(lastBelow.epoch(), logStartOffset));
        }
        entries = List.copyOf(next);
        persist();
    }

    /**
     * End offset of {@code epoch} in Kafka's OffsetsForLeaderEpoch sense: the start offset of the next higher
     * epoch, {@code logEndOffset} for the latest epoch, -1 if the epoch is older than every recorded one.
     */
    long endOffsetFor(int epoch, long logEndOffset) {
        List<EpochEntry> e = entries;
        if (e.isEmpty() || epoch < e.get(0).epoch()) {
            return -1;
        }
        for (EpochEntry entry : e) {
            if (entry.epoch() > epoch) {
                return entry.startOffset();
            }
        }
        return logEndOffset;
    }

    private void persist() {
        try {
            file.write(entries);
        } catch (IOException e) {
            LOG.warn("Could not write leader epoch checkpoint: file={} reason={}", file.file(), e.getMessage());
        }
    }
}
