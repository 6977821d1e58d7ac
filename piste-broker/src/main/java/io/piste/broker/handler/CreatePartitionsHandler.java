package io.piste.broker.handler;

import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreatePartitions: grows a topic; new partitions start empty, existing keys may map elsewhere from now on. The
 * internal topics are refused with INVALID_REQUEST.
 */
final class CreatePartitionsHandler implements RequestHandler {

    private final BrokerContext broker;

    CreatePartitionsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        CreatePartitionsRequestData request = context.data();
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        for (CreatePartitionsTopic topic : request.topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
            try {
                if (Topic.isInternal(topic.name())) {
                    // Kafka's broker allows it (only its CLI refuses), but a group's partition is its id's hash
                    // modulo the partition count: more partitions would move groups away from their commits.
                    throw new InvalidRequestException(
                            topic.name() + " is an internal topic: its partition count " + "cannot be changed.");
                }
                checkAssignments(topic);
                broker.controller()
                        .createPartitions(topic.name(), topic.count(), request.validateOnly(), request.timeoutMs());
            } catch (IOException e) {
                result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).setErrorMessage(e.getMessage());
            } catch (RuntimeException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
            response.results().add(result);
        }
        context.respond(response);
    }

    private void checkAssignments(CreatePartitionsTopic topic) {
        if (topic.assignments() == null) {
            return;
        }
        for (CreatePartitionsAssignment assignment : topic.assignments()) {
            if (!assignment.brokerIds().equals(List.of(broker.nodeId()))) {
                throw new InvalidReplicaAssignmentException("New partitions must be assigned to broker "
                        + broker.nodeId() + " only; got " + assignment.brokerIds());
            }
        }
    }
}
