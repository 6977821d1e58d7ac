package io.piste.broker.partition;

import java.io.IOException;
import java.nio.file.Path;

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
    private final long checkpointedRecoveryPoint;
    private final long checkpointedHighWatermark;
    private final long checkpointedLogStartOffset;
    /** The log dir holding the partition's directory; null while it has none yet (chosen at the open). */
    private volatile Path logDir;

    private volatile Partition partition;
    private boolean failed;
    private boolean retired;

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

    /** The partition if its log is open, else null; never opens it. */
    Partition opened() {
        return partition;
    }

    /** True if an open of the log failed: its files are as that open left them, maybe half recovered. */
    synchronized boolean failed() {
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

    /** The log start offset read at start-up, which the log's open keeps within its segments. */
    long checkpointedLogStartOffset() {
        return checkpointedLogStartOffset;
    }

    /** The recovery point read at start-up, from which an open after an unclean stop recovers. */
    long checkpointedRecoveryPoint() {
        return checkpointedRecoveryPoint;
    }

    @Override
    public String toString() {
        return topic + "-" + index;
    }
}
