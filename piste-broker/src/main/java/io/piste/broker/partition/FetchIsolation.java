package io.piste.broker.partition;

import org.apache.kafka.common.IsolationLevel;

/**
 * How far a consumer's read of a partition may go, as Kafka's {@code FetchIsolation}: the high watermark
 * (read_uncommitted) or the last stable offset (read_committed; until Piste has transactions the last stable offset
 * is the high watermark). Kafka's third, the log end, is for followers, which Piste does not have yet.
 */
public enum FetchIsolation {
    HIGH_WATERMARK,
    TXN_COMMITTED;

    /**
     * The isolation of a consumer's Fetch or ListOffsets with this {@code isolation_level}. Any other value than
     * read_committed reads up to the high watermark, as Piste has always answered; replica fetches are consumers'
     * too until replication exists (a client claiming to be a follower must not read past the high watermark).
     */
    public static FetchIsolation ofConsumer(byte isolationLevel) {
        return isolationLevel == IsolationLevel.READ_COMMITTED.id() ? TXN_COMMITTED : HIGH_WATERMARK;
    }
}
