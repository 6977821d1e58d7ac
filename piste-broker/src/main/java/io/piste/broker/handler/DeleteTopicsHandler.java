package io.piste.broker.handler;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteTopics: by name, or from v6 by name or id; the partitions' logs are deleted with the topic. Internal topics
 * ({@code __consumer_offsets}, {@code __transaction_state}) are refused with INVALID_REQUEST.
 */
final class DeleteTopicsHandler implements RequestHandler {

    private static final Logger log = LoggerFactory.getLogger(DeleteTopicsHandler.class);

    private final BrokerContext broker;

    DeleteTopicsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        DeleteTopicsRequestData request = context.data();
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        if (context.apiVersion() >= 6) {
            for (DeleteTopicState state : request.topics()) {
                response.responses().add(delete(state.name(), state.topicId()));
            }
        } else {
            for (String name : request.topicNames()) {
                response.responses().add(delete(name, Uuid.ZERO_UUID));
            }
        }
        context.respond(response);
    }

    private DeletableTopicResult delete(String name, Uuid id) {
        DeletableTopicResult result = new DeletableTopicResult().setName(name).setTopicId(id);
        MetadataImage image = broker.controller().image();
        TopicImage topic = name != null ? image.topic(name) : image.topic(id);
        if (!broker.config().deleteTopicEnable()) {
            return result.setErrorCode(Errors.TOPIC_DELETION_DISABLED.code());
        }
        if (topic == null) {
            return result.setErrorCode(
                    name != null ? Errors.UNKNOWN_TOPIC_OR_PARTITION.code() : Errors.UNKNOWN_TOPIC_ID.code());
        }
        result.setName(topic.name()).setTopicId(topic.topicId());
        if (Topic.isInternal(topic.name())) {
            // Kafka's broker would delete it (only its CLI refuses), losing every group's committed offsets.
            return result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage(topic.name() + " is an internal topic and cannot be deleted");
        }
        try {
            broker.controller().deleteTopic(topic.topicId());
        } catch (IOException e) {
            log.warn("Could not delete topic {}: {}", topic.name(), e.toString());
            result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).setErrorMessage(e.getMessage());
        } catch (RuntimeException e) {
            result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
        }
        return result;
    }
}
