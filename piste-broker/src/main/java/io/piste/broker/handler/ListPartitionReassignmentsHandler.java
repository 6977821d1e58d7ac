package io.piste.broker.handler;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;

/**
 * ListPartitionReassignments: the reassignments under way (replicas, those being added and removed), of every
 * partition or of the named ones, read from this node's metadata image. As Kafka, a named topic or partition that
 * does not exist or is not moving is left out rather than answered with an error.
 */
final class ListPartitionReassignmentsHandler implements RequestHandler {

    private final BrokerContext broker;

    ListPartitionReassignmentsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        ListPartitionReassignmentsRequestData request = context.data();
        MetadataImage image = broker.controller().image();
        ListPartitionReassignmentsResponseData response =
                new ListPartitionReassignmentsResponseData().setErrorMessage(null);
        if (request.topics() == null) {
            for (TopicImage topic : new TreeMap<>(namesOf(image)).values()) {
                List<Integer> all = new ArrayList<>();
                for (int p = 0; p < image.partitions(topic.topicId()).size(); p++) {
                    all.add(p);
                }
                addMoving(response, image, topic, all);
            }
        } else {
            for (ListPartitionReassignmentsTopics named : request.topics()) {
                TopicImage topic = image.topic(named.name());
                if (topic != null) {
                    addMoving(response, image, topic, named.partitionIndexes());
                }
            }
        }
        context.respond(response);
    }

    private static TreeMap<String, TopicImage> namesOf(MetadataImage image) {
        TreeMap<String, TopicImage> byName = new TreeMap<>();
        image.topics().forEach(t -> byName.put(t.name(), t));
        return byName;
    }

    private static void addMoving(
            ListPartitionReassignmentsResponseData response,
            MetadataImage image,
            TopicImage topic,
            List<Integer> indexes) {
        List<PartitionImage> partitions = image.partitions(topic.topicId());
        OngoingTopicReassignment moving = new OngoingTopicReassignment().setName(topic.name());
        for (int index : indexes) {
            PartitionImage p = index >= 0 && index < partitions.size() ? partitions.get(index) : null;
            if (p != null && p.isReassigning()) {
                moving.partitions()
                        .add(new OngoingPartitionReassignment()
                                .setPartitionIndex(index)
                                .setReplicas(p.replicas())
                                .setAddingReplicas(p.addingReplicas())
                                .setRemovingReplicas(p.removingReplicas()));
            }
        }
        if (!moving.partitions().isEmpty()) {
            response.topics().add(moving);
        }
    }
}
