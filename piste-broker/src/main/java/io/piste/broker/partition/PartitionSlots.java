package io.piste.broker.partition;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The slot of every partition of this broker, by topic: what {@link LogManager} looks partitions up in. A topic's
 * slots are replaced as a whole (created, grown, deleted), so a reader sees one array or the next. Thread-safe.
 */
final class PartitionSlots {

    private final ConcurrentHashMap<String, PartitionSlot[]> byTopic = new ConcurrentHashMap<>();

    /** The slots of {@code topic}, or null if it has none here. */
    PartitionSlot[] of(String topic) {
        return byTopic.get(topic);
    }

    void put(String topic, PartitionSlot[] slots) {
        byTopic.put(topic, slots);
    }

    /** Removes the slots of {@code topic} and returns them, or null if it had none. */
    PartitionSlot[] remove(String topic) {
        return byTopic.remove(topic);
    }

    /** The slot of partition {@code index} of {@code topic}, or null if there is none. */
    PartitionSlot slot(String topic, int index) {
        PartitionSlot[] slots = byTopic.get(topic);
        return slots == null || index < 0 || index >= slots.length ? null : slots[index];
    }

    void forEach(Consumer<PartitionSlot> action) {
        for (PartitionSlot[] topic : byTopic.values()) {
            for (PartitionSlot slot : topic) {
                action.accept(slot);
            }
        }
    }

    /** Runs {@code action} on every partition whose log is open (a log nobody opened has nothing to do). */
    void forEachOpened(Consumer<Partition> action) {
        forEach(slot -> {
            Partition p = slot.opened();
            if (p != null) {
                action.accept(p);
            }
        });
    }

    /** How many partitions each log dir holds (those whose log dir is known). */
    Map<Path, Integer> perLogDir() {
        Map<Path, Integer> counts = new HashMap<>();
        forEach(slot -> {
            Path dir = slot.logDir();
            if (dir != null) {
                counts.merge(dir, 1, Integer::sum);
            }
        });
        return counts;
    }

    /** The partitions (first) and those that cannot serve (second: failed to open, offline, in {@code failedDirs}). */
    long[] partitionAndOfflineCounts(Set<Path> failedDirs) {
        long[] counts = new long[2];
        forEach(slot -> {
            counts[0]++;
            Partition opened = slot.opened();
            if (slot.failed() || (opened != null && opened.isOffline()) || failedDirs.contains(slot.logDir())) {
                counts[1]++;
            }
        });
        return counts;
    }
}
