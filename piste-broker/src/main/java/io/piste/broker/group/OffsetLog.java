package io.piste.broker.group;

import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/** Where committed offsets are made durable: {@link OffsetsTopic} in the broker, a fake in unit tests. */
public interface OffsetLog {

    /**
     * Writes {@code offsets} of {@code groupId} (a null value deletes the partition's offset) and calls
     * {@code done} once they are durable, with NONE, or with the error that kept them from being written. Calls
     * made one after another (not concurrently) complete in the order they were made; {@code done} may run on the
     * calling thread, before this returns.
     */
    void append(String groupId, Map<TopicPartition, CommittedOffset> offsets, Consumer<Errors> done);
}
