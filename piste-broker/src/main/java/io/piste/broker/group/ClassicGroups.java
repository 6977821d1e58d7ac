package io.piste.broker.group;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The classic groups by id, and the lock of them all: every read or change of a classic group, of its members or
 * of this map happens in {@code synchronized} on this object (membership changes are rare next to produce and
 * fetch, so one lock costs little). Shared by the {@link GroupCoordinator}, the {@link ClassicGroupAdmin} and the
 * {@link ClassicGroupOffsetChecks}; none of them sends an answer while holding it ({@link DeferredResponses}).
 */
final class ClassicGroups {

    private final Map<String, ClassicGroup> byId = new LinkedHashMap<>();
    private final ClassicGroup.Coordination coordination;

    ClassicGroups(ClassicGroup.Coordination coordination) {
        this.coordination = coordination;
    }

    /** Runs {@code operation} under the lock, then sends the answers it gave, once the lock is released. */
    <T> T locked(Function<DeferredResponses, T> operation) {
        DeferredResponses responses = new DeferredResponses();
        T result;
        synchronized (this) {
            result = operation.apply(responses);
        }
        responses.send();
        return result;
    }

    /** The group of that id, or null. */
    ClassicGroup get(String groupId) {
        assert Thread.holdsLock(this);
        return byId.get(groupId);
    }

    /** The group of that id, created Empty if unknown. */
    ClassicGroup getOrCreate(String groupId) {
        assert Thread.holdsLock(this);
        return byId.computeIfAbsent(groupId, id -> new ClassicGroup(id, coordination));
    }

    /** Puts back a group read from its membership record (it replaces any group of that id). */
    ClassicGroup restore(String groupId, GroupRecord record) {
        assert Thread.holdsLock(this);
        ClassicGroup group = ClassicGroup.fromRecord(groupId, record, coordination);
        byId.put(groupId, group);
        return group;
    }

    void remove(String groupId) {
        assert Thread.holdsLock(this);
        byId.remove(groupId);
    }

    /** A copy of the groups, oldest first. */
    Collection<ClassicGroup> all() {
        assert Thread.holdsLock(this);
        return List.copyOf(byId.values());
    }
}
