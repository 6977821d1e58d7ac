package io.piste.broker.handler;

import io.piste.broker.metadata.PartitionReassignment;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * AlterPartitionReassignments (KIP-455; v1's AllowReplicationFactorChange, KIP-860): starts, replaces or cancels (a
 * null replica list) the reassignment of each partition named, answering each on its own. The controller does the
 * work; this turns the request into its terms and its answers back.
 */
final class AlterPartitionReassignmentsHandler implements RequestHandler {

    private final BrokerContext broker;

    AlterPartitionReassignmentsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        AlterPartitionReassignmentsRequestData request = context.data();
        List<PartitionReassignment> reassignments = new ArrayList<>();
        for (ReassignableTopic topic : request.topics()) {
            for (ReassignablePartition partition : topic.partitions()) {
                reassignments.add(
                        new PartitionReassignment(topic.name(), partition.partitionIndex(), partition.replicas()));
            }
        }
        List<ApiError> answers;
        try {
            answers = broker.controller()
                    .alterPartitionReassignments(reassignments, request.allowReplicationFactorChange());
        } catch (IOException e) {
            answers = reassignments.stream()
                    .map(r -> new ApiError(Errors.KAFKA_STORAGE_ERROR, e.getMessage()))
                    .toList();
        } catch (RuntimeException e) {
            answers = reassignments.stream().map(r -> ApiError.fromThrowable(e)).toList();
        }
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(request.allowReplicationFactorChange())
                .setErrorMessage(null);
        int i = 0;
        for (ReassignableTopic topic : request.topics()) {
            ReassignableTopicResponse topicResponse = new ReassignableTopicResponse().setName(topic.name());
            for (ReassignablePartition partition : topic.partitions()) {
                ApiError answer = answers.get(i++);
                topicResponse
                        .partitions()
                        .add(new ReassignablePartitionResponse()
                                .setPartitionIndex(partition.partitionIndex())
                                .setErrorCode(answer.error().code())
                                .setErrorMessage(answer.isSuccess() ? null : answer.message()));
            }
            response.responses().add(topicResponse);
        }
        context.respond(response);
    }
}
