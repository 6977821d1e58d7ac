package io.piste.broker.partition;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reassignment's part on this node's logs (KIP-455): a partition this node became a replica of gets its log,
 * created empty (the replica manager then has it fetch from the leader, from the leader's log start); a partition
 * it no longer holds a replica of has its log closed and deleted, as Kafka's StopReplica with deletion, and as a
 * topic's deletion deletes its partitions. Called on the metadata applying thread, one change at a time.
 */
final class ReplicaLogChanges {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLogChanges.class);

    /** Creates (or opens, if its directory is there) partition {@code index} of {@code topic} in {@code logDir}. */
    @FunctionalInterface
    interface Creator {
        Partition create(TopicImage topic, int index, Path logDir) throws IOException;
    }

    private final int self;
    private final List<Path> logDirs;
    private final PartitionSlots slots;
    private final Creator creator;

    ReplicaLogChanges(int self, List<Path> logDirs, PartitionSlots slots, Creator creator) {
        this.self = self;
        this.logDirs = logDirs;
        this.slots = slots;
        this.creator = creator;
    }

    /**
     * Makes the slots of {@code topic} match the replicas {@code image} gives this node. The topic's slots are
     * replaced as a whole, so a reader sees the old ones or the new ones. A log that fails to be created is logged
     * and left out: the partition is unavailable here, as one whose log failed to open.
     */
    void apply(TopicImage topic, MetadataImage image) {
        PartitionSlot[] old = slots.of(topic.name());
        if (old == null) {
            return; // the topic is being created or deleted: its own listener calls handle its logs
        }
        PartitionSlot[] next = old.clone();
        boolean changed = false;
        for (int p = 0; p < next.length; p++) {
            boolean replica = Assignments.isReplica(image, topic, p, self);
            if (replica && next[p] == null) {
                next[p] = create(topic, p);
                changed |= next[p] != null;
            } else if (!replica && next[p] != null) {
                changed = true;
                PartitionSlot removed = next[p];
                next[p] = null;
                slots.put(topic.name(), next.clone()); // nothing finds the partition before its log goes
                Partition opened = removed.opened();
                if (opened != null) {
                    opened.stopLeading(); // waiting producers look for the new leader rather than fail
                }
                delete(removed);
                LOG.info("Deleted the log of {}: this node no longer holds one of its replicas", removed);
            }
        }
        if (changed) {
            slots.put(topic.name(), next);
        }
    }

    private PartitionSlot create(TopicImage topic, int index) {
        Map<Path, Integer> held = slots.perLogDir();
        Path logDir = NewPartitionLogs.assignLogDirs(logDirs, held, 1).get(0);
        try {
            Partition created = creator.create(topic, index, logDir);
            LOG.info(
                    "Created the log of {}-{} in {}: this node is one of its replicas now",
                    topic.name(),
                    index,
                    logDir);
            return PartitionSlot.of(created);
        } catch (IOException | RuntimeException e) {
            LOG.error(
                    "Could not create the log of {}-{}; it is unavailable here until a restart",
                    topic.name(),
                    index,
                    e);
            return null;
        }
    }

    /**
     * Retires the slot and deletes the partition's directory (its replica removed, or its topic deleted); producers
     * still waiting on it fail, parked fetches answer now. A directory left behind is deleted ({@code -delete}) or
     * kept as stray at the next start.
     */
    static void delete(PartitionSlot slot) {
        Partition partition = slot.retire();
        if (partition != null) {
            partition.failPendingAcks();
            partition.markDeleted();
            PartitionDirs.closeAndDeleteQuietly(partition);
        } else if (slot.logDir() != null && Files.isDirectory(slot.logDir().resolve(slot.toString()))) {
            PartitionDirs.deleteAfterTopicQuietly(slot.logDir().resolve(slot.toString()));
        }
    }
}
