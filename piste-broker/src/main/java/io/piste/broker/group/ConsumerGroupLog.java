package io.piste.broker.group;

import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where KIP-848 consumer groups' state is made durable: {@link OffsetsTopic} in the broker, nothing in unit tests.
 * The snapshots are opaque here (the consumer group coordinator encodes them).
 */
public interface ConsumerGroupLog {

    /** Keeps nothing and reports success at once. */
    ConsumerGroupLog NONE = (groupId, snapshot, done) -> done.accept(Errors.NONE);

    /**
     * Writes the group's snapshot (null deletes the group) and calls {@code done} once it is durable, with NONE or
     * the error that kept it from being written. Writes made one after another complete in that order; {@code done}
     * may run on the calling thread, before this returns.
     */
    void writeConsumerGroup(String groupId, byte[] snapshot, Consumer<Errors> done);
}
