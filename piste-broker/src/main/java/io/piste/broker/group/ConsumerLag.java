package io.piste.broker.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer lag as the broker sees it: for each group and each partition it has committed an offset for, the
 * partition's end offset minus the committed offset (what {@code kafka-consumer-groups --describe} shows, without a
 * round trip). Partitions that no longer exist are left out. For monitoring; thread-safe.
 */
public final class ConsumerLag {

    private static final Comparator<PartitionLag> ORDER = Comparator.comparing(PartitionLag::groupId)
            .thenComparing(l -> l.partition().topic())
            .thenComparingInt(l -> l.partition().partition());

    private final GroupOffsets offsets;
    private final ToLongFunction<TopicPartition> endOffsets;

    /** @param endOffsets a partition's high watermark, or a negative value if the partition does not exist */
    public ConsumerLag(GroupOffsets offsets, ToLongFunction<TopicPartition> endOffsets) {
        this.offsets = offsets;
        this.endOffsets = endOffsets;
    }

    /** The lag of every group on every partition it has an offset for, by group, topic and partition. */
    public List<PartitionLag> all() {
        List<PartitionLag> lags = new ArrayList<>();
        for (String groupId : offsets.groupIds()) {
            addGroup(groupId, lags);
        }
        lags.sort(ORDER);
        return lags;
    }

    /** The lag of one group (empty if it has no committed offsets). */
    public List<PartitionLag> of(String groupId) {
        List<PartitionLag> lags = new ArrayList<>();
        addGroup(groupId, lags);
        lags.sort(ORDER);
        return lags;
    }

    private void addGroup(String groupId, List<PartitionLag> lags) {
        for (Map.Entry<TopicPartition, CommittedOffset> e :
                offsets.fetch(groupId).entrySet()) {
            long end = endOffsets.applyAsLong(e.getKey());
            if (end < 0) {
                continue;
            }
            CommittedOffset committed = e.getValue();
            lags.add(new PartitionLag(
                    groupId,
                    e.getKey(),
                    committed.offset(),
                    end,
                    Math.max(0, end - committed.offset()),
                    committed.commitTimestampMs()));
        }
    }
}
