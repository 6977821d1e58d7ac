package io.piste.broker.handler;

import io.piste.broker.config.ConfigDescriber;
import io.piste.broker.config.TopicConfigs;
import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreateTopics: checks name, partitions, replication and configs as Kafka does; validate-only creates nothing.
 * Internal topics are refused with INVALID_REQUEST (Kafka refuses only {@code __cluster_metadata}).
 */
final class CreateTopicsHandler implements RequestHandler {

    private final BrokerContext broker;

    CreateTopicsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        CreateTopicsRequestData request = context.data();
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (CreatableTopic topic : request.topics()) {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        }
        for (CreatableTopic topic : request.topics()) {
            CreatableTopicResult result = new CreatableTopicResult()
                    .setName(topic.name())
                    .setNumPartitions(-1)
                    .setReplicationFactor((short) -1);
            if (duplicates.contains(topic.name())) {
                fail(
                        result,
                        new InvalidRequestException("Create topics request from client `" + context.clientId()
                                + "` contains multiple entries for the following topics: " + topic.name()));
            } else {
                create(topic, request, result, context.apiVersion());
            }
            response.topics().add(result);
        }
        context.respond(response);
    }

    private void create(
            CreatableTopic topic, CreateTopicsRequestData request, CreatableTopicResult result, short version) {
        boolean validateOnly = request.validateOnly();
        try {
            checkNotInternal(topic.name());
            int partitions = partitionCount(topic);
            short replicationFactor = topic.replicationFactor() == -1
                    ? broker.config().defaultReplicationFactor()
                    : topic.replicationFactor();
            if (topic.assignments().isEmpty()) {
                checkReplicationFactor(replicationFactor);
            } else {
                replicationFactor = 1;
            }
            Map<String, String> configs = new LinkedHashMap<>();
            for (CreatableTopicConfig config : topic.configs()) {
                if (config.value() != null) {
                    configs.put(config.name(), config.value());
                }
            }
            TopicConfigs.validate(configs);
            broker.controller().validateNewTopic(topic.name(), partitions);
            Uuid id = Uuid.ZERO_UUID;
            if (!validateOnly) {
                TopicImage created = broker.controller()
                        .createTopic(topic.name(), partitions, replicationFactor, configs, request.timeoutMs());
                id = created.topicId();
            }
            result.setTopicId(id).setNumPartitions(partitions).setReplicationFactor(replicationFactor);
            if (version >= 5) {
                result.setConfigs(
                        ConfigDescriber.forCreateTopics(broker.logManager().brokerConfigs(), configs));
            }
        } catch (ApiException e) {
            fail(result, e);
        } catch (IOException e) {
            fail(result, new KafkaStorageException("Could not create topic " + topic.name() + ": " + e.getMessage()));
        }
    }

    /**
     * Kafka refuses {@code __cluster_metadata} alone; Piste also refuses the internal topics its broker creates
     * itself with the configs they need (a client's {@code __consumer_offsets} with {@code cleanup.policy=delete}
     * would delete committed offsets).
     */
    private static void checkNotInternal(String name) {
        if (Topic.CLUSTER_METADATA_TOPIC_NAME.equals(name)) {
            throw new InvalidRequestException("Creation of internal topic " + name + " is prohibited.");
        }
        if (Topic.isInternal(name)) {
            throw new InvalidRequestException(name + " is an internal topic: the broker creates it, with the "
                    + "configs it needs, at its first use; clients cannot create it.");
        }
    }

    /** As Kafka: at most as many replicas as brokers serve (a single node is one). */
    private void checkReplicationFactor(short replicationFactor) {
        MetadataImage image = broker.controller().image();
        long serving = Assignments.isCluster(image)
                ? image.brokers().values().stream().filter(b -> !b.fenced()).count()
                : 1;
        if (replicationFactor < 1 || replicationFactor > serving) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + replicationFactor
                    + " time(s): The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + serving + " broker(s) are registered.");
        }
    }

    private int partitionCount(CreatableTopic topic) {
        if (topic.assignments().isEmpty()) {
            return topic.numPartitions() == -1 ? broker.config().numPartitions() : topic.numPartitions();
        }
        if (topic.numPartitions() != -1 || topic.replicationFactor() != -1) {
            throw new InvalidRequestException("Both numPartitions or replicationFactor and replicasAssignments "
                    + "were set. Both cannot be used at the same time.");
        }
        int index = 0;
        for (CreatableReplicaAssignment assignment : topic.assignments()) {
            if (assignment.partitionIndex() != index++
                    || !assignment.brokerIds().equals(List.of(broker.nodeId()))) {
                throw new InvalidReplicaAssignmentException("Partition " + assignment.partitionIndex()
                        + " must be assigned to broker " + broker.nodeId() + " only, in partition order; got "
                        + assignment.brokerIds());
            }
        }
        return topic.assignments().size();
    }

    private static void fail(CreatableTopicResult result, ApiException e) {
        result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
    }
}
