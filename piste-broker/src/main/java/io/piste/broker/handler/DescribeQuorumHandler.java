package io.piste.broker.handler;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.QuorumDescription;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Listener;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ListenerCollection;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Node;
import org.apache.kafka.common.message.DescribeQuorumResponseData.NodeCollection;
import org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ReplicaState;
import org.apache.kafka.common.message.DescribeQuorumResponseData.TopicData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeQuorum ({@code kafka-metadata-quorum describe --status}, Admin's describeMetadataQuorum): the controller's
 * {@link QuorumDescription} as partition 0 of {@code __cluster_metadata}, the only partition Kafka answers for (any
 * other is {@code UNKNOWN_TOPIC_OR_PARTITION}, as Kafka's Raft client says). From v2 it names each voter's
 * endpoint: a cluster's voters' quorum ports as CONTROLLER listeners, or this broker's listener for a single node
 * (which has no separate controller listener).
 */
final class DescribeQuorumHandler implements RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DescribeQuorumHandler.class);

    private final BrokerContext broker;

    DescribeQuorumHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        DescribeQuorumRequestData request = context.data();
        if (!asksForTheMetadataPartition(request)) {
            context.respond(new DescribeQuorumResponseData()
                    .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("Only partition 0 of " + Topic.CLUSTER_METADATA_TOPIC_NAME + " has a quorum"));
            return;
        }
        QuorumDescription quorum;
        try {
            quorum = broker.controller().describeQuorum();
        } catch (IOException | RuntimeException e) {
            LOG.warn("DescribeQuorum failed: {}", e.toString());
            Errors error = Errors.forException(e);
            context.respond(
                    new DescribeQuorumResponseData().setErrorCode(error.code()).setErrorMessage(e.getMessage()));
            return;
        }
        PartitionData partition = new PartitionData()
                .setPartitionIndex(0)
                .setLeaderId(quorum.leaderId())
                .setLeaderEpoch(quorum.leaderEpoch())
                .setHighWatermark(quorum.highWatermark())
                .setCurrentVoters(replicaStates(quorum.voters()))
                .setObservers(replicaStates(quorum.observers()));
        DescribeQuorumResponseData response = new DescribeQuorumResponseData()
                .setTopics(List.of(new TopicData()
                        .setTopicName(Topic.CLUSTER_METADATA_TOPIC_NAME)
                        .setPartitions(List.of(partition))));
        if (context.apiVersion() >= 2) {
            NodeCollection nodes = new NodeCollection();
            for (QuorumDescription.Voter voter : quorum.voters()) {
                BrokerEndpoint endpoint = voter.quorumEndpoint();
                Listener listener = endpoint == null
                        ? new Listener()
                                .setName(broker.config().advertisedListener().listenerName())
                                .setHost(broker.advertisedHost())
                                .setPort(broker.advertisedPort())
                        : new Listener()
                                .setName(endpoint.listener())
                                .setHost(endpoint.host())
                                .setPort(endpoint.port());
                ListenerCollection listeners = new ListenerCollection();
                listeners.add(listener);
                nodes.add(new Node().setNodeId(voter.nodeId()).setListeners(listeners));
            }
            response.setNodes(nodes);
        }
        context.respond(response);
    }

    private static List<ReplicaState> replicaStates(List<QuorumDescription.Voter> replicas) {
        List<ReplicaState> states = new ArrayList<>();
        for (QuorumDescription.Voter replica : replicas) {
            states.add(new ReplicaState()
                    .setReplicaId(replica.nodeId())
                    .setLogEndOffset(replica.logEndOffset())
                    .setLastFetchTimestamp(replica.lastFetchTimestamp())
                    .setLastCaughtUpTimestamp(replica.lastCaughtUpTimestamp()));
        }
        return states;
    }

    private static boolean asksForTheMetadataPartition(DescribeQuorumRequestData request) {
        return request.topics().size() == 1
                && Topic.CLUSTER_METADATA_TOPIC_NAME.equals(
                        request.topics().get(0).topicName())
                && request.topics().get(0).partitions().size() == 1
                && request.topics().get(0).partitions().get(0).partitionIndex() == 0;
    }
}
