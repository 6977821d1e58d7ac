package io.piste.broker.group;

import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Where committed offsets are made durable: {@link OffsetsTopic} in the broker, a fake in unit tests. */
@FunctionalInterface
public interface OffsetLog {

    /** The producer id of a plain (not transactional) commit. */
    long NO_PRODUCER_ID = RecordBatch.NO_PRODUCER_ID;

    /**
     * Writes {@code offsets} of {@code groupId} (a null value deletes the partition's offset) and calls
     * {@code done} once they are durable, with NONE, or with the error that kept them from being written. With a
     * producer id other than {@link #NO_PRODUCER_ID} the records go in a transactional batch of that producer and
     * epoch (TxnOffsetCommit), which its transaction's COMMIT or ABORT marker settles later. Calls made one after
     * another (not concurrently) complete in the order they were made; {@code done} may run on the calling thread,
     * before this returns.
     */
    void append(
            String groupId,
            long producerId,
            short producerEpoch,
            Map<TopicPartition, CommittedOffset> offsets,
            Consumer<Errors> done);
}
