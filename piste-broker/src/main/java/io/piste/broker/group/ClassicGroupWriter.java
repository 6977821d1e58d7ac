package io.piste.broker.group;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes classic groups' membership records to a {@link GroupMetadataLog}. Called under the lock of the
 * {@link ClassicGroups}, so records reach the log in the order of the changes; what waits for a write runs under
 * that lock too, and its answers are sent after it.
 */
final class ClassicGroupWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ClassicGroupWriter.class);

    /** What runs, under the lock, once a membership write is durable or failed; it adds its answers. */
    @FunctionalInterface
    interface OnWritten {
        void accept(Errors error, DeferredResponses responses);
    }

    private final GroupMetadataLog metadataLog;
    private final GroupTimer timer;
    private final ClassicGroups groups;

    ClassicGroupWriter(GroupMetadataLog metadataLog, GroupTimer timer, ClassicGroups groups) {
        this.metadataLog = metadataLog;
        this.timer = timer;
        this.groups = groups;
    }

    /** Writes the group's membership; nobody waits for it. */
    void write(ClassicGroup group) {
        write(group, error -> {});
    }

    /**
     * Writes the group's membership, then runs {@code onWritten} under the lock: at once, with the caller's
     * {@code responses}, if the write completes before it returns (the caller still holds the lock); else on the
     * thread that completes it, which sends the answers after leaving the lock.
     */
    void write(ClassicGroup group, DeferredResponses responses, OnWritten onWritten) {
        Thread caller = Thread.currentThread();
        AtomicBoolean returned = new AtomicBoolean();
        write(group, error -> {
            if (!returned.get() && Thread.currentThread() == caller) {
                onWritten.accept(error, responses);
            } else {
                groups.locked(later -> {
                    onWritten.accept(error, later);
                    return null;
                });
            }
        });
        returned.set(true);
    }

    /** Writes a tombstone for a deleted group; nobody waits for it. */
    void delete(String groupId) {
        metadataLog.writeGroup(groupId, null, error -> {});
    }

    private void write(ClassicGroup group, Consumer<Errors> done) {
        metadataLog.writeGroup(group.groupId(), group.toRecord(timer.nowMs()), error -> {
            if (error != Errors.NONE) {
                LOG.warn("Could not write the membership of group {}: {}", group.groupId(), error);
            }
            done.accept(error);
        });
    }
}
