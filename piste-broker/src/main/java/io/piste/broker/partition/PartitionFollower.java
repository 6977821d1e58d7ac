package io.piste.broker.partition;

import io.piste.storage.log.LogAppendInfo;
import io.piste.storage.log.LogOffsetMetadata;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's side of a partition another node leads (Kafka's follower): appends the leader's batches as they are,
 * cuts the log where it diverged from the leader's, makes the appends durable through the broker's group commit, and
 * takes the leader's high watermark within what it holds. Only the replica fetcher of the partition's leader calls it.
 */
public final class PartitionFollower {

    private final Partition partition;
    private final UnifiedLog log;
    private final LogFlusher flusher;
    private final boolean durableAcks;

    PartitionFollower(Partition partition, UnifiedLog log, LogFlusher flusher, boolean durableAcks) {
        this.partition = partition;
        this.log = log;
        this.flusher = flusher;
        this.durableAcks = durableAcks;
    }

    /** Appends the leader's batches: offsets and epochs kept ({@link io.piste.storage.log.LogReplica}). */
    public LogAppendInfo append(ByteBuffer records) throws IOException {
        partition.failIfOffline();
        return log.replica().appendAsFollower(records);
    }

    /** Cuts the log to end at {@code offset} (where it diverged from the leader's); the new log end. */
    public long truncateTo(long offset) throws IOException {
        partition.failIfOffline();
        return log.replica().truncateTo(offset);
    }

    /** Empties the log to start at {@code offset}: the leader has nothing before it (this replica fell behind). */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        partition.failIfOffline();
        log.replica().truncateFullyAndStartAt(offset);
    }

    /** The high watermark: the leader's, within what this replica holds (durably, with durable acks). */
    public void followHighWatermark(long leaderHighWatermark) {
        long held = Math.min(leaderHighWatermark, durableAcks ? log.recoveryPoint() : log.logEndOffset());
        partition.advanceHighWatermark(LogOffsetMetadata.messageOffsetOnly(held));
    }

    /** The leader epoch of the last batch in the log (-1 if none): a follower's Fetch v12+ lastFetchedEpoch. */
    public int lastFetchedEpoch() {
        return log.latestEpoch();
    }

    /**
     * Makes what was appended to {@code followed} durable before the next fetch reports it (with durable acks; else
     * at once): all of them in one round of the group commit the broker's leaders use (one file system sync per log
     * dir with syncfs, not an fsync per partition). Returns the partitions whose log end is still not durable after
     * that round (offline, or their flush failed): their fetcher must not report it.
     */
    public static List<Partition> makeDurable(List<Partition> followed) throws InterruptedException {
        Map<LogFlusher, List<Partition>> byFlusher = new IdentityHashMap<>();
        long[] ends = new long[followed.size()];
        for (int i = 0; i < followed.size(); i++) {
            PartitionFollower follower = followed.get(i).asFollower();
            ends[i] = follower.log.logEndOffset(); // only the fetcher appends to a followed log: it stays put
            // A partition answered with news but no records (a new high watermark) has nothing to wait for.
            if (follower.durableAcks && follower.log.recoveryPoint() < ends[i]) {
                byFlusher
                        .computeIfAbsent(follower.flusher, f -> new ArrayList<>())
                        .add(followed.get(i));
            }
        }
        for (Map.Entry<LogFlusher, List<Partition>> round : byFlusher.entrySet()) {
            round.getKey().flushAndWait(round.getValue());
        }
        List<Partition> notDurable = new ArrayList<>();
        for (int i = 0; i < followed.size(); i++) {
            PartitionFollower follower = followed.get(i).asFollower();
            if (follower.partition.isOffline() || (follower.durableAcks && follower.log.recoveryPoint() < ends[i])) {
                notDurable.add(followed.get(i));
            }
        }
        return notDurable;
    }
}
