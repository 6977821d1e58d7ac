package io.piste.broker.group;

import org.apache.kafka.common.TopicPartition;

/**
 * How far one group is behind on one partition.
 *
 * @param groupId           the group
 * @param partition         the partition
 * @param committedOffset   the group's committed offset (the next offset it will consume)
 * @param endOffset         the partition's high watermark: the offset after the last record a consumer can read
 * @param lag               records not yet consumed: {@code endOffset - committedOffset}, never below 0
 * @param commitTimestampMs when the committed offset was committed, so a consumer that stopped committing shows
 */
public record PartitionLag(
        String groupId,
        TopicPartition partition,
        long committedOffset,
        long endOffset,
        long lag,
        long commitTimestampMs) {}
