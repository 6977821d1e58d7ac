package io.piste.broker.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * What went in and out of one topic (Kafka's {@code BrokerTopicMetrics} with a {@code topic} tag): each record also
 * counts in the all-topics meters. Resolved once per partition and kept with it, so an append or a read adds to
 * {@link LongAdder}s without a lookup or an allocation. Thread-safe.
 */
public final class TopicMeters {

    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder replicationBytesOut = new LongAdder();
    /** The all-topics meters, or null for the all-topics meters themselves. */
    private final TopicMeters allTopics;

    TopicMeters(TopicMeters allTopics) {
        this.allTopics = allTopics;
    }

    /** Meters counted nowhere: for partitions built without a broker (tests). */
    public static TopicMeters detached() {
        return new TopicMeters(null);
    }

    /** An append of {@code records} records in {@code bytes} bytes of record batches. */
    public void recordAppended(int records, int bytes) {
        messagesIn.add(records);
        bytesIn.add(bytes);
        if (allTopics != null) {
            allTopics.recordAppended(records, bytes);
        }
    }

    /** {@code bytes} bytes of record batches sent to a follower: Kafka's ReplicationBytesOutPerSec, not BytesOut. */
    public void recordReplicated(long bytes) {
        replicationBytesOut.add(bytes);
        if (allTopics != null) {
            allTopics.recordReplicated(bytes);
        }
    }

    /** {@code bytes} bytes of record batches sent to a consumer. */
    public void recordFetched(long bytes) {
        bytesOut.add(bytes);
        if (allTopics != null) {
            allTopics.recordFetched(bytes);
        }
    }

    public long messagesIn() {
        return messagesIn.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public long replicationBytesOut() {
        return replicationBytesOut.sum();
    }
}
