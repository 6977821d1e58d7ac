package io.piste.broker.group.consumer;

import org.apache.kafka.common.Uuid;

/** A topic some member of a group subscribes to, as far as assignment cares: its id and partition count. */
record SubscribedTopic(Uuid topicId, int partitionCount) {}
