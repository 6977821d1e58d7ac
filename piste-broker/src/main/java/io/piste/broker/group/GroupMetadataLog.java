package io.piste.broker.group;

import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;

/** Where classic groups' membership is made durable: {@link OffsetsTopic} in the broker, nothing in unit tests. */
public interface GroupMetadataLog {

    /** Keeps nothing and reports success at once. */
    GroupMetadataLog NONE = (groupId, group, done) -> done.accept(Errors.NONE);

    /**
     * Writes {@code group}'s record (null deletes it) and calls {@code done} once it is durable, with NONE or the
     * error that kept it from being written. Writes made one after another complete in the order they were made;
     * {@code done} may run on the calling thread, before this returns.
     */
    void writeGroup(String groupId, GroupRecord group, Consumer<Errors> done);
}
