package io.piste.broker.coordinator;

import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.GroupOffsets;
import io.piste.broker.group.OffsetsTopic;
import io.piste.broker.group.consumer.ConsumerGroupCoordinator;
import java.io.IOException;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the groups of {@code __consumer_offsets} into the coordinators: the whole topic at a single node's start-up,
 * one partition when a cluster node comes to lead it. The offsets go into {@link GroupOffsets} as the partition is
 * replayed; then each group's last record makes it a consumer group (KIP-848) or a classic one, and a group known
 * only by its offsets is an Empty classic group, as in Kafka. Stateless.
 */
public final class GroupLoad {

    private static final Logger LOG = LoggerFactory.getLogger(GroupLoad.class);

    private final OffsetsTopic topic;
    private final GroupOffsets offsets;
    private final GroupCoordinator groups;
    private final ConsumerGroupCoordinator consumerGroups;

    public GroupLoad(
            OffsetsTopic topic,
            GroupOffsets offsets,
            GroupCoordinator groups,
            ConsumerGroupCoordinator consumerGroups) {
        this.topic = topic;
        this.offsets = offsets;
        this.groups = groups;
        this.consumerGroups = consumerGroups;
    }

    /** Loads every partition of the topic whose log is open here (a single node, before it serves). */
    public void loadAll() throws IOException {
        long started = System.nanoTime();
        OffsetsTopic.LoadedGroups loaded = new OffsetsTopic.LoadedGroups();
        long records = topic.load(offsets, loaded);
        restore(loaded, p -> true);
        if (records > 0) {
            LOG.info(
                    "Loaded {} offset records of {} groups in {} ms",
                    records,
                    offsets.groupIds().size(),
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /**
     * Loads partition {@code partition}: whatever the coordinators hold of its groups is dropped first (state left
     * from an earlier leadership, or made by a request that raced the last drop), then it is replayed.
     */
    public void load(int partition) throws IOException {
        long started = System.nanoTime();
        unload(partition);
        OffsetsTopic.LoadedGroups loaded = new OffsetsTopic.LoadedGroups();
        long records = topic.load(partition, offsets, loaded);
        restore(loaded, p -> p == partition);
        LOG.info(
                "Loaded {} records of {}-{} in {} ms",
                records,
                OffsetsTopic.NAME,
                partition,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Drops the groups of {@code partition} and their offsets from memory; returns how many groups went. */
    public int unload(int partition) {
        int classic = groups.unload(groupId -> offsets.partitionOf(groupId) == partition);
        int consumer = consumerGroups.unload(groupId -> offsets.partitionOf(groupId) == partition);
        offsets.unload(partition);
        return classic + consumer;
    }

    private void restore(OffsetsTopic.LoadedGroups loaded, IntPredicate inPartitions) {
        // A group id is of one type at a time: a consumer group's snapshot wins over an older classic record.
        loaded.consumer().forEach((groupId, snapshot) -> {
            if (snapshot != null) {
                try {
                    consumerGroups.restore(groupId, snapshot);
                } catch (RuntimeException e) {
                    // One unreadable group must not keep the broker down: its members rejoin, its offsets stay.
                    LOG.error(
                            "Could not restore consumer group {} from {}; its members will rejoin: {}",
                            groupId,
                            OffsetsTopic.NAME,
                            e.toString());
                }
            }
        });
        loaded.classic().forEach((groupId, membership) -> {
            if (membership != null && !consumerGroups.isConsumerGroup(groupId)) {
                groups.restore(groupId, membership);
            }
        });
        for (String groupId : offsets.groupIds()) {
            // A group known only by its offsets is listed and described as Empty, as in Kafka.
            if (inPartitions.test(offsets.partitionOf(groupId)) && !consumerGroups.isConsumerGroup(groupId)) {
                groups.admin().ensureGroup(groupId);
            }
        }
    }
}
