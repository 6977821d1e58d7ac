package io.piste.broker.fetchsession;

import org.apache.kafka.common.Uuid;

/**
 * One partition a fetch must read, as the request or the session gives it. {@code topic} is null when the session
 * knows the topic only by id (fetch v13+); {@code topicId} is {@link Uuid#ZERO_UUID} when it knows it only by name.
 */
public record PartitionFetch(
        Uuid topicId,
        String topic,
        int partition,
        long fetchOffset,
        int partitionMaxBytes,
        int currentLeaderEpoch,
        int lastFetchedEpoch) {}
