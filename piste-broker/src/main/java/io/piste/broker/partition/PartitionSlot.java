package io.piste.broker.partition;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One partition of the metadata image on this broker, whose log opens at its first use. A start-up does not open
 * the logs of the topics clients use: each opens on the first request that needs it (or when its topic is created),
 * so a start costs one directory listing per log dir rather than a dozen file operations per partition. What the
 * broker must report before then comes from the checkpoints read at start-up: a log nobody opened has not changed
 * since, so its recovery point and high watermark are still those.
 *
 * <p>Threads: {@link #get} opens at most once, under the slot's lock; {@link #opened()} never opens and never
 * blocks. After {@link #retire()} (a topic deletion, or the broker's close) nothing opens the log any more.
 */
final class PartitionSlot {

    /** Opens the log of a slot: LogManager's open, with the topic's config as it is now. */
    interface Opener {
        Partition open(PartitionSlot slot) throws IOException;
    }

    private final String topic;
    private final int index;
    /** The checkpointed offsets read at start-up, moved on by a {@link #recover} that closed the log again. */
    private volatile long checkpointedRecoveryPoint;

    private volatile long checkpointedHighWatermark;
    private volatile long checkpointedLogStartOffset;
    /** The log dir holding the partition's directory; null while it has none yet (chosen at the open). */
    private volatile Path logDir;

    private volatile Partition partition;
    /** Written under the lock; read without it, so that a request never waits for a recovery to tell. */
    private volatile boolean failed;

    private boolean retired;
    /** Recovered since the start by {@link #recover}: its files need no scan beyond the recovery point. */
    private volatile boolean recovered;
    /** A recovery is queued for a request (at most one at a time). */
    private final AtomicBoolean recoveryRequested = new AtomicBoolean();

    PartitionSlot(String topic, int index, Path logDir, long recoveryPoint, long highWatermark, long logStartOffset) {
        this.topic = topic;
        this.index = index;
        this.logDir = logDir;
        this.checkpointedRecoveryPoint = recoveryPoint;
        this.checkpointedHighWatermark = highWatermark;
        this.checkpointedLogStartOffset = logStartOffset;
    }

    /** A slot for a partition opened now (a topic created or grown, or one opened at start-up). */
    static PartitionSlot of(Partition opened) {
        PartitionSlot slot = new PartitionSlot(
                opened.topic(),
                opened.index(),
                opened.log().dir().getParent(),
                opened.log().recoveryPoint(),
                opened.highWatermark(),
                opened.logStartOffset());
        slot.partition = opened;
        return slot;
    }

    String topic() {
        return topic;
    }

    int index() {
        return index;
    }

    Path logDir() {
        Partition p = partition;
        return p != null ? p.log().dir().getParent() : logDir;
    }

    void setLogDir(Path dir) {
        logDir = dir;
    }

    /**
     * The partition, its log opened first if nobody did yet; null if the open failed (this time or an earlier one:
     * the log is not tried again until a restart) or the slot is retired.
     */
    Partition get(Opener opener) throws IOException {
        Partition p = partition;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (partition != null || failed || retired) {
                return partition;
            }
            try {
                partition = opener.open(this);
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
            return partition;
        }
    }

    /**
     * Recovers the log after an unclean stop, off the request path: opens it (which validates its tail and fsyncs
     * it), then closes it again unless {@code keepOpen}, so that recovering every log of a log dir does not hold a
     * descriptor per partition (an offline one stays open). A log closed so is clean up to its recovery point, which
     * later opens start from.
     * Nothing happens if the log is open, failed, retired or recovered already.
     */
    void recover(Opener opener, boolean keepOpen) throws IOException {
        synchronized (this) {
            if (partition != null || failed || retired || recovered) {
                return;
            }
            try {
                Partition p = opener.open(this);
                if (p == null) {
                    return; // deleted meanwhile
                }
                if (keepOpen || p.isOffline()) {
                    // Offline (its recovery's fsync failed): kept as it is, answering storage errors, as an open at
                    // first use leaves it; a close would only fail on the same flush.
                    partition = p;
                } else {
                    p.log().close();
                    checkpointedRecoveryPoint = p.log().recoveryPoint();
                    checkpointedHighWatermark = p.highWatermark();
                    checkpointedLogStartOffset = p.logStartOffset();
                }
                recovered = true;
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            } finally {
                recoveryRequested.set(false);
            }
        }
    }

    /** True once {@link #recover} recovered the log since the start. */
    boolean recovered() {
        return recovered;
    }

    /** True the first time after the last recovery that a request asks for one: it is queued once. */
    boolean requestRecovery() {
        return recoveryRequested.compareAndSet(false, true);
    }

    /** The partition if its log is open, else null; never opens it. */
    Partition opened() {
        return partition;
    }

    /** True if an open of the log failed: its files are as that open left them, maybe half recovered. */
    boolean failed() {
        return failed;
    }

    /** From now on nothing opens the log; returns the partition if it was opened. */
    synchronized Partition retire() {
        retired = true;
        return partition;
    }

    /** The recovery point to checkpoint: the log's own once open, else the one read at start-up. */
    long recoveryPoint() {
        Partition p = partition;
        return p != null ? p.log().recoveryPoint() : checkpointedRecoveryPoint;
    }

    /** The high watermark to checkpoint: the partition's once open, else the one read at start-up. */
    long highWatermark() {
        Partition p = partition;
        return p != null ? p.highWatermark() : checkpointedHighWatermark;
    }

    /** The log start offset to checkpoint: the log's own once open, else the one read at start-up. */
    long logStartOffset() {
        Partition p = partition;
        return p != null ? p.logStartOffset() : checkpointedLogStartOffset;
    }

    /** The log start offset read at start-up (or reached by {@link #recover}), which the log's open keeps within its segments. */
    long checkpointedLogStartOffset() {
        return checkpointedLogStartOffset;
    }

    /** The recovery point read at start-up (or reached by {@link #recover}), from which an open recovers. */
    long checkpointedRecoveryPoint() {
        return checkpointedRecoveryPoint;
    }

    @Override
    public String toString() {
        return topic + "-" + index;
    }
}
