package io.piste.broker.handler;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeTopicPartitions (KIP-966's describe, what {@code kafka-topics --describe} and Admin's describeTopics use
 * when a broker serves it): the requested topics, or all when none is named, in name order from the request's
 * cursor, with each partition's leader, epoch, replicas, ISR, eligible leader replicas and offline replicas, at most
 * {@code ResponsePartitionLimit} partitions (capped at Kafka's 2,000) per answer and a cursor to the next. A name
 * not known gets {@code UNKNOWN_TOPIC_OR_PARTITION} ({@code INVALID_TOPIC_EXCEPTION} if no topic could have it); a
 * cursor naming a topic that is not requested, or a negative partition, is an invalid request, as in Kafka.
 */
final class DescribeTopicPartitionsHandler implements RequestHandler {

    /** Kafka's {@code max.request.partition.size.limit} default, the most partitions one answer holds. */
    static final int MAX_PARTITIONS_PER_RESPONSE = 2000;

    private final BrokerContext broker;

    DescribeTopicPartitionsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        DescribeTopicPartitionsRequestData request = context.data();
        MetadataImage image = broker.controller().image();
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        DescribeTopicPartitionsRequestData.Cursor cursor = request.cursor();
        String firstTopic = cursor == null ? "" : cursor.topicName();
        int firstPartition = cursor == null ? 0 : cursor.partitionIndex();
        if (firstPartition < 0) {
            context.respondWithError(new InvalidRequestException(
                    "The cursor's partition " + firstPartition + " is not a partition index"));
            return;
        }
        TreeSet<String> names = new TreeSet<>();
        if (request.topics().isEmpty()) {
            image.topics().forEach(topic -> names.add(topic.name()));
        } else {
            for (TopicRequest requested : request.topics()) {
                names.add(String.valueOf(requested.name()));
            }
            if (cursor != null && !names.contains(firstTopic)) {
                context.respondWithError(new InvalidRequestException(
                        "The cursor's topic " + firstTopic + " is not one of the requested topics"));
                return;
            }
        }
        int left = Math.min(Math.max(request.responsePartitionLimit(), 1), MAX_PARTITIONS_PER_RESPONSE);
        for (String name : names.tailSet(firstTopic, true)) {
            int p = name.equals(firstTopic) ? firstPartition : 0;
            if (left == 0) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(p));
                break;
            }
            TopicImage topic = image.topic(name);
            if (topic == null) {
                response.topics()
                        .add(new DescribeTopicPartitionsResponseTopic()
                                .setName(name)
                                .setTopicId(Uuid.ZERO_UUID)
                                .setErrorCode(unknownTopicError(name).code()));
                continue;
            }
            DescribeTopicPartitionsResponseTopic described = new DescribeTopicPartitionsResponseTopic()
                    .setName(name)
                    .setTopicId(topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId())
                    .setIsInternal(Topic.isInternal(name));
            response.topics().add(described);
            for (; p < topic.partitionCount() && left > 0; p++) {
                PartitionImage state = Assignments.partition(image, topic, p, broker.nodeId());
                if (state != null) {
                    described.partitions().add(describe(image, p, state));
                    left--;
                }
            }
            if (p < topic.partitionCount()) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(p));
                break;
            }
        }
        context.respond(response);
    }

    /** A name that could be a topic's is unknown; one that could not is invalid, as Kafka answers. */
    private static Errors unknownTopicError(String name) {
        try {
            Topic.validate(name);
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } catch (InvalidTopicException e) {
            return Errors.INVALID_TOPIC_EXCEPTION;
        }
    }

    private DescribeTopicPartitionsResponsePartition describe(MetadataImage image, int index, PartitionImage state) {
        return new DescribeTopicPartitionsResponsePartition()
                .setErrorCode(state.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                .setPartitionIndex(index)
                .setLeaderId(state.leader())
                .setLeaderEpoch(state.leaderEpoch())
                .setReplicaNodes(state.replicas())
                .setIsrNodes(state.isr())
                .setEligibleLeaderReplicas(state.elr())
                .setLastKnownElr(List.of())
                .setOfflineReplicas(LiveBrokers.offline(image, state.replicas(), broker.nodeId()));
    }
}
