package io.piste.broker.interbroker;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the coordinator's markers for partitions another node leads as Kafka's WriteTxnMarkers request, on a
 * thread per destination broker ({@link RequestThreads}: a send blocks for up to the request timeout, so never on an
 * event loop or the coordinator's timer, and a broker that does not answer delays only the markers it leads). A broker that cannot be reached, or is not known now, fails the markers with {@code NETWORK_EXCEPTION} or
 * {@code NOT_LEADER_OR_FOLLOWER}: both retriable, so the coordinator sends them again.
 */
public final class MarkerSender implements RoutedMarkers.RemoteMarkers, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MarkerSender.class);

    private final IntFunction<Node> brokers;
    private final RequestThreads senders;

    /**
     * @param nodeId this node
     * @param listenerName the listener other brokers are reached on
     * @param brokers where broker {@code id} is reached now, or null if it is not serving
     */
    public MarkerSender(int nodeId, String listenerName, IntFunction<Node> brokers) {
        this.brokers = brokers;
        this.senders = new RequestThreads(nodeId, listenerName, "piste-txn-marker-sender");
    }

    @Override
    public void write(
            int leader,
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            int coordinatorEpoch,
            Set<TopicPartition> partitions,
            Consumer<Map<TopicPartition, Errors>> done) {
        RequestThread sender = senders.to(leader);
        sender.execute(
                () -> done.accept(send(
                        sender,
                        leader,
                        producerId,
                        producerEpoch,
                        commit,
                        transactionVersion,
                        coordinatorEpoch,
                        partitions)),
                () -> done.accept(RequestThread.all(partitions, Errors.NETWORK_EXCEPTION)));
    }

    private Map<TopicPartition, Errors> send(
            RequestThread sender,
            int leader,
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            int coordinatorEpoch,
            Set<TopicPartition> partitions) {
        Node node = brokers.apply(leader);
        if (node == null) {
            return RequestThread.all(partitions, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        WritableTxnMarker marker = new WritableTxnMarker()
                .setProducerId(producerId)
                .setProducerEpoch(producerEpoch)
                .setTransactionResult(commit)
                .setCoordinatorEpoch(coordinatorEpoch)
                .setTransactionVersion((byte) transactionVersion);
        Map<String, WritableTxnMarkerTopic> topics = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            topics.computeIfAbsent(tp.topic(), name -> new WritableTxnMarkerTopic().setName(name))
                    .partitionIndexes()
                    .add(tp.partition());
        }
        marker.topics().addAll(topics.values());
        WriteTxnMarkersRequestData request = new WriteTxnMarkersRequestData();
        request.markers().add(marker);
        AbstractResponse answer;
        try {
            answer = sender.send(node, new WriteTxnMarkersRequest.Builder(request));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not send the markers of producer {} to broker {}: {}", producerId, leader, e.toString());
            return RequestThread.all(partitions, Errors.NETWORK_EXCEPTION);
        }
        Map<TopicPartition, Errors> errors =
                ((WriteTxnMarkersResponse) answer).errorsByProducerId().getOrDefault(producerId, Map.of());
        Map<TopicPartition, Errors> failed = new HashMap<>();
        for (TopicPartition tp : partitions) {
            // A partition the answer leaves out was not written: ask again rather than take it as done.
            Errors error = errors.getOrDefault(tp, Errors.NETWORK_EXCEPTION);
            if (error != Errors.NONE) {
                failed.put(tp, error);
            }
        }
        return failed;
    }

    /** Stops sending; a send under way is given up (the coordinator writes those markers again after a restart). */
    @Override
    public void close() {
        senders.close();
    }
}
