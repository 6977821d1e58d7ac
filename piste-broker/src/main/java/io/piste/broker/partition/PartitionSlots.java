package io.piste.broker.partition;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.storage.checkpoint.TopicPartitionKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot of every partition of this broker, by topic: what {@link LogManager} looks partitions up in. A topic's
 * slots are replaced as a whole (created, grown, deleted), so a reader sees one array or the next; a partition this
 * node holds no replica of (in a cluster) has a null slot. Thread-safe.
 */
final class PartitionSlots {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionSlots.class);

    private final ConcurrentHashMap<String, PartitionSlot[]> byTopic = new ConcurrentHashMap<>();

    /** The slots of {@code topic}, or null if it has none here. */
    PartitionSlot[] of(String topic) {
        return byTopic.get(topic);
    }

    /**
     * At start-up: a slot for every partition of the image node {@code self} holds a replica of, in the log dir that
     * holds its directory ({@code existing}, by directory name), with its checkpointed offsets; the others' slots
     * stay null. Returns how many were taken.
     */
    int takeAll(MetadataImage image, int self, Map<String, Path> existing, OffsetCheckpoints checkpoints) {
        int count = 0;
        for (TopicImage topic : image.topics()) {
            PartitionSlot[] topicSlots = new PartitionSlot[topic.partitionCount()];
            for (int p = 0; p < topicSlots.length; p++) {
                if (!Assignments.isReplica(image, topic, p, self)) {
                    continue;
                }
                Path logDir = existing.get(topic.name() + "-" + p);
                TopicPartitionKey key = new TopicPartitionKey(topic.name(), p);
                long recoveryPoint = logDir == null ? 0 : checkpoints.recoveryPoint(logDir, key);
                long highWatermark = logDir == null ? 0 : checkpoints.highWatermark(logDir, key);
                long logStart = logDir == null ? 0 : checkpoints.logStartOffset(logDir, key);
                topicSlots[p] = new PartitionSlot(topic.name(), p, logDir, recoveryPoint, highWatermark, logStart);
                count++;
            }
            byTopic.put(topic.name(), topicSlots);
        }
        return count;
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
                if (slot != null) {
                    action.accept(slot);
                }
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

    /** Forgets, in every open log, the producers idle for longer than {@code expirationMs}. */
    void removeExpiredProducers(long expirationMs) {
        forEachOpened(p -> {
            try {
                p.log().removeExpiredProducers(expirationMs);
            } catch (RuntimeException e) {
                LOG.warn("Could not expire producer ids of {}: {}", p, e.toString());
            }
        });
    }

    /** After a failed file system sync of {@code logDir}: every open partition in it goes offline, its acks fail. */
    void takeLogDirOffline(Path logDir, IOException cause) {
        // A log not opened yet goes offline at its first flush: the flusher keeps the log dir failed.
        List<Partition> inDir = new ArrayList<>();
        forEachOpened(p -> {
            if (p.log().dir().getParent().equals(logDir)) {
                p.log().markOffline(cause);
                inDir.add(p);
            }
        });
        // Only once all are offline: a producer told of the failure finds every partition of the log dir offline.
        for (Partition p : inDir) {
            p.failPendingAcks();
        }
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
