package io.piste.broker.handler;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata: the brokers clients may use ({@link LiveBrokers}: this node alone, or a cluster's unfenced brokers),
 * this node as the controller (any node takes the admin requests a client sends its controller), the requested topics
 * (by name or, from v10, by id) with each partition's leader, epoch, replicas and in-sync replicas, and
 * auto-creation of unknown topics when both the request and {@code auto.create.topics.enable} allow it, except
 * internal topics (such a request is answered off the event loop).
 */
final class MetadataHandler implements RequestHandler {

    private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);

    private final BrokerContext broker;
    /** The answer of a request that creates a topic: on the controller requests' threads, off the event loop. */
    private final RequestHandler creating;

    MetadataHandler(BrokerContext broker, ControllerRequests controllerRequests) {
        this.broker = broker;
        this.creating = controllerRequests.offloaded(context -> answer(context, true));
    }

    /**
     * A request that would create a topic waits for the controller (a quorum's commit, or the metadata log's fsync):
     * it is answered off the event loop. Any other is answered here at once from the image.
     */
    @Override
    public void handle(RequestContext context) {
        if (createsTopics(context)) {
            creating.handle(context);
        } else {
            answer(context, false);
        }
    }

    private boolean createsTopics(RequestContext context) {
        MetadataRequestData request = context.data();
        if (request.topics() == null
                || !mayCreate(context.apiVersion(), request)
                || !broker.config().autoCreateTopicsEnable()) {
            return false;
        }
        MetadataImage image = broker.controller().image();
        for (MetadataRequestTopic requested : request.topics()) {
            if (byName(requested) && !Topic.isInternal(requested.name()) && image.topic(requested.name()) == null) {
                return true;
            }
        }
        return false;
    }

    private static boolean mayCreate(short version, MetadataRequestData request) {
        return version < 4 || request.allowAutoTopicCreation();
    }

    /** As Kafka does, a non-zero topic id wins over the name (clients may send an empty name with an id). */
    private static boolean byName(MetadataRequestTopic requested) {
        return requested.name() != null && (requested.topicId() == null || Uuid.ZERO_UUID.equals(requested.topicId()));
    }

    /**
     * {@code create}: whether a missing topic may be created here (on the event loop it is not: a topic deleted
     * since {@link #createsTopics} looked is answered unknown, as it is).
     */
    private void answer(RequestContext context, boolean create) {
        MetadataRequestData request = context.data();
        short version = context.apiVersion();
        MetadataResponseData response =
                new MetadataResponseData().setClusterId(broker.clusterId()).setControllerId(broker.nodeId());
        for (LiveBrokers.Address live :
                LiveBrokers.of(broker, broker.controller().image())) {
            response.brokers()
                    .add(new MetadataResponseBroker()
                            .setNodeId(live.nodeId())
                            .setHost(live.host())
                            .setPort(live.port())
                            .setRack(version >= 1 ? live.rack() : null)); // v0 has no rack
        }
        boolean allTopics =
                request.topics() == null || (version == 0 && request.topics().isEmpty());
        if (allTopics) {
            MetadataImage image = broker.controller().image();
            for (TopicImage topic : image.topics()) {
                response.topics().add(describe(image, topic));
            }
        } else {
            boolean mayCreate = create && mayCreate(version, request);
            for (MetadataRequestTopic requested : request.topics()) {
                response.topics().add(describeRequested(requested, mayCreate));
            }
        }
        context.respond(response);
    }

    private MetadataResponseTopic describeRequested(MetadataRequestTopic requested, boolean mayCreate) {
        MetadataImage image = broker.controller().image();
        if (!byName(requested)) {
            TopicImage topic = image.topic(requested.topicId());
            return topic != null
                    ? describe(image, topic)
                    : new MetadataResponseTopic()
                            .setTopicId(requested.topicId())
                            .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
        }
        TopicImage topic = image.topic(requested.name());
        if (topic != null) {
            return describe(image, topic);
        }
        MetadataResponseTopic missing = new MetadataResponseTopic().setName(requested.name());
        // An internal topic is created by the broker, with its own partition count and configs (the offsets topic at
        // the first commit), never as an ordinary topic on a client's say-so.
        if (!mayCreate || !broker.config().autoCreateTopicsEnable() || Topic.isInternal(requested.name())) {
            return missing.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        try {
            TopicImage created = broker.controller()
                    .createTopic(requested.name(), broker.config().numPartitions(), Map.of());
            return describe(broker.controller().image(), created);
        } catch (TopicExistsException e) {
            // created by a concurrent request in the meantime (and maybe deleted again since)
            MetadataImage after = broker.controller().image();
            TopicImage existing = after.topic(requested.name());
            return existing != null
                    ? describe(after, existing)
                    : missing.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        } catch (ApiException e) {
            return missing.setErrorCode(Errors.forException(e).code());
        } catch (IOException e) {
            log.warn("Could not auto-create topic {}: {}", requested.name(), e.toString());
            return missing.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
    }

    /** {@code topic} as {@code image} has it: one image for a topic and its partitions. */
    private MetadataResponseTopic describe(MetadataImage image, TopicImage topic) {
        MetadataResponseTopic described = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId())
                .setIsInternal(Topic.isInternal(topic.name()));
        for (int p = 0; p < topic.partitionCount(); p++) {
            PartitionImage state = Assignments.partition(image, topic, p, broker.nodeId());
            if (state != null) {
                described.partitions().add(describe(image, p, state));
            }
        }
        return described;
    }

    /** A partition without a leader (its only replicas fenced) says LEADER_NOT_AVAILABLE, as Kafka's does. */
    private MetadataResponsePartition describe(MetadataImage image, int index, PartitionImage state) {
        return new MetadataResponsePartition()
                .setErrorCode(state.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                .setPartitionIndex(index)
                .setLeaderId(state.leader())
                .setLeaderEpoch(state.leaderEpoch())
                .setReplicaNodes(state.replicas())
                .setIsrNodes(state.isr())
                .setOfflineReplicas(LiveBrokers.offline(image, state.replicas(), broker.nodeId()));
    }
}
