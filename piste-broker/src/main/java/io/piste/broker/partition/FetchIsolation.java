package io.piste.broker.partition;

import org.apache.kafka.common.IsolationLevel;

/**
 * How far a read of a partition may go, as Kafka's {@code FetchIsolation}: the high watermark (read_uncommitted),
 * the last stable offset (read_committed), or the log end for a follower of the partition's leader.
 */
public enum FetchIsolation {
    HIGH_WATERMARK,
    TXN_COMMITTED,
    /** A follower's fetch: everything appended, so that the high watermark can move once it has it. */
    LOG_END;

    /**
     * The isolation of a consumer's Fetch or ListOffsets with this {@code isolation_level}. Any other value than
     * read_committed reads up to the high watermark. A fetch naming a replica id reads to the log end only where
     * that replica follows the partition's leader here (checked per partition by the fetch handler).
     */
    public static FetchIsolation ofConsumer(byte isolationLevel) {
        return isolationLevel == IsolationLevel.READ_COMMITTED.id() ? TXN_COMMITTED : HIGH_WATERMARK;
    }
}
