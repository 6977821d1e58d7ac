package io.piste.broker.handler;

import io.piste.broker.metadata.Controller;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * ElectLeaders (v0-v2): the controller elects, and each partition gets its outcome once the change is committed
 * (Kafka's timeout too does not wait for the new leader to take over). A partition named twice is answered once.
 * A request naming no partitions (null) is about all of them and, as Kafka's, is answered with every topic but only
 * the partitions for which an election was needed. An election type this version does not know fails the request
 * (v1+) and every named partition with INVALID_REQUEST; so does a controller that cannot answer, with its error.
 */
final class ElectLeadersHandler implements RequestHandler {

    private final Controller controller;

    ElectLeadersHandler(Controller controller) {
        this.controller = controller;
    }

    @Override
    public void handle(RequestContext context) {
        ElectLeadersRequestData request = context.data();
        Set<TopicPartition> named = named(request);
        ApiError topLevel = ApiError.NONE;
        Map<TopicPartition, ApiError> results;
        ElectionType type = electionType(request.electionType());
        if (type == null) {
            topLevel = new ApiError(Errors.INVALID_REQUEST, "Unknown election type " + request.electionType());
            results = allFailed(named, topLevel);
        } else {
            try {
                results = controller.electLeaders(type, named, request.timeoutMs());
            } catch (IOException e) {
                topLevel = new ApiError(Errors.REQUEST_TIMED_OUT, e.getMessage());
                results = allFailed(named, topLevel);
            } catch (RuntimeException e) {
                topLevel = ApiError.fromThrowable(e);
                results = allFailed(named, topLevel);
            }
        }
        ElectLeadersResponseData response = response(results, named == null);
        if (context.apiVersion() >= 1) { // v0 has no top-level error: a failed request for all partitions gets none
            response.setErrorCode(topLevel.error().code());
        }
        context.respond(response);
    }

    private static ElectionType electionType(byte value) {
        try {
            return ElectionType.valueOf(value);
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    /** The partitions the request names, each once, in its order; null if it names none (all of them). */
    private static Set<TopicPartition> named(ElectLeadersRequestData request) {
        if (request.topicPartitions() == null) {
            return null;
        }
        Set<TopicPartition> named = new LinkedHashSet<>();
        for (TopicPartitions topic : request.topicPartitions()) {
            for (int partition : topic.partitions()) {
                named.add(new TopicPartition(topic.topic(), partition));
            }
        }
        return named;
    }

    private static Map<TopicPartition, ApiError> allFailed(Set<TopicPartition> named, ApiError error) {
        Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
        if (named != null) {
            named.forEach(partition -> results.put(partition, error));
        }
        return results;
    }

    private static ElectLeadersResponseData response(Map<TopicPartition, ApiError> results, boolean all) {
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        results.forEach((partition, outcome) -> {
            ReplicaElectionResult topic =
                    byTopic.computeIfAbsent(partition.topic(), name -> new ReplicaElectionResult().setTopic(name));
            if (!all || outcome.error() != Errors.ELECTION_NOT_NEEDED) {
                topic.partitionResult()
                        .add(new PartitionResult()
                                .setPartitionId(partition.partition())
                                .setErrorCode(outcome.error().code())
                                .setErrorMessage(outcome.error() == Errors.NONE ? null : outcome.message()));
            }
        });
        ElectLeadersResponseData response = new ElectLeadersResponseData();
        response.replicaElectionResults().addAll(byTopic.values());
        return response;
    }
}
