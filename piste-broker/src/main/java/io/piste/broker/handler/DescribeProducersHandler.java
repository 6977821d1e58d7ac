package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import io.piste.storage.producer.ProducerEntry;
import java.io.IOException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeProducers (what {@code kafka-transactions describe-producers} shows): per requested partition, the producers
 * its log tracks, with their epoch, last sequence and timestamp, the coordinator epoch of their last marker and the
 * first offset of their open transaction (-1 if none). An invalid topic name answers INVALID_TOPIC_EXCEPTION, a topic
 * or partition not here UNKNOWN_TOPIC_OR_PARTITION (or KAFKA_STORAGE_ERROR where its log failed to open), an offline
 * partition KAFKA_STORAGE_ERROR. Kafka's NOT_LEADER_OR_FOLLOWER never comes: on one node the broker leads every
 * partition it has.
 */
final class DescribeProducersHandler implements RequestHandler {

    private final PartitionLookup partitions;

    DescribeProducersHandler(PartitionLookup partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext context) {
        DescribeProducersRequestData request = context.data();
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (TopicRequest topic : request.topics()) {
            TopicResponse topicResponse = new TopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            Errors topicError = validTopicName(topic.name()) ? Errors.NONE : Errors.INVALID_TOPIC_EXCEPTION;
            for (int index : topic.partitionIndexes()) {
                topicResponse.partitions().add(partitionState(topic.name(), index, topicError));
            }
        }
        context.respond(response);
    }

    private static boolean validTopicName(String name) {
        try {
            Topic.validate(name);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    private PartitionResponse partitionState(String topic, int index, Errors topicError) {
        PartitionResponse answer = new PartitionResponse().setPartitionIndex(index);
        if (topicError != Errors.NONE) {
            return error(answer, topicError);
        }
        Partition partition = partitions.partition(topic, index);
        if (partition == null) {
            return error(answer, partitions.missingPartitionError(topic, index));
        }
        try {
            for (ProducerEntry producer : partition.activeProducers()) {
                answer.activeProducers().add(producerState(producer));
            }
        } catch (IOException | RuntimeException e) {
            answer.activeProducers().clear();
            return error(answer, StorageErrors.forException(e));
        }
        return answer;
    }

    private static PartitionResponse error(PartitionResponse answer, Errors error) {
        return answer.setErrorCode(error.code()).setErrorMessage(error.message());
    }

    private static ProducerState producerState(ProducerEntry producer) {
        return new ProducerState()
                .setProducerId(producer.producerId())
                .setProducerEpoch(producer.epoch())
                .setLastSequence(producer.lastSequence())
                .setLastTimestamp(producer.lastTimestamp())
                .setCoordinatorEpoch(producer.coordinatorEpoch())
                .setCurrentTxnStartOffset(producer.currentTxnFirstOffset());
    }
}
