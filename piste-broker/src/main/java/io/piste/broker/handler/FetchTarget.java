package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/** One partition of a fetch request, resolved: the partition itself or the error that replaces its data. */
record FetchTarget(
        String topicName,
        Uuid topicId,
        int partitionIndex,
        long fetchOffset,
        int partitionMaxBytes,
        Partition partition,
        Errors error) {}
