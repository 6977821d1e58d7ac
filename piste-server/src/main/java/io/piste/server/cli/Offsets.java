package io.piste.server.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Offsets of many partitions in one ListOffsets round; a partition that no longer exists is left out. */
final class Offsets {
    private Offsets() {}

    /** An empty set that keeps partitions by topic name, then partition number. */
    static SortedSet<TopicPartition> sortedPartitions() {
        return new TreeSet<>(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    }

    static Map<TopicPartition, Long> list(Admin admin, Collection<TopicPartition> partitions, OffsetSpec spec)
            throws Exception {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, spec));
        ListOffsetsResult result = admin.listOffsets(query);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            try {
                offsets.put(tp, result.partitionResult(tp).get().offset());
            } catch (ExecutionException e) {
                // A deleted topic's old committed offset: shown without a log end, not a failure of the command.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        }
        return offsets;
    }
}
