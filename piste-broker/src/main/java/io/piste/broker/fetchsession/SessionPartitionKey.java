package io.piste.broker.fetchsession;

import org.apache.kafka.common.Uuid;

/**
 * How a session tells its partitions apart: by topic id and partition in sessions of fetch v13+ (the topic name is
 * then {@code null}), by topic name and partition before (the id is then {@link Uuid#ZERO_UUID}). Keying v13+
 * sessions by id makes a re-created topic a different partition, which is how clients replace it (forget the old
 * id, add the new one).
 */
record SessionPartitionKey(Uuid topicId, String topic, int partition) {

    static SessionPartitionKey of(boolean usesTopicIds, Uuid topicId, String topic, int partition) {
        return usesTopicIds
                ? new SessionPartitionKey(topicId == null ? Uuid.ZERO_UUID : topicId, null, partition)
                : new SessionPartitionKey(Uuid.ZERO_UUID, topic == null ? "" : topic, partition);
    }
}
