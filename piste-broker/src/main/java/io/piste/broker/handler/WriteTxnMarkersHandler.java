package io.piste.broker.handler;

import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import io.piste.broker.txn.MarkerWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * WriteTxnMarkers: on one node nothing sends it but an operator's tool (kafka-transactions abort of a hanging
 * transaction); the markers go through the same {@link MarkerWriter} the coordinator uses. Answers once every
 * marker is durable, with each partition's error.
 */
final class WriteTxnMarkersHandler implements RequestHandler {

    private final MarkerWriter markers;

    WriteTxnMarkersHandler(MarkerWriter markers) {
        this.markers = markers;
    }

    @Override
    public void handle(RequestContext context) {
        WriteTxnMarkersRequestData request = context.data();
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        List<WritableTxnMarker> requested = request.markers();
        AtomicInteger outstanding = new AtomicInteger(requested.size() + 1);
        Runnable oneDone = () -> {
            if (outstanding.decrementAndGet() == 0) {
                context.respond(response);
            }
        };
        for (WritableTxnMarker marker : requested) {
            WritableTxnMarkerResult result = new WritableTxnMarkerResult().setProducerId(marker.producerId());
            response.markers().add(result);
            Set<TopicPartition> partitions = new HashSet<>();
            for (WritableTxnMarkerTopic topic : marker.topics()) {
                for (int index : topic.partitionIndexes()) {
                    partitions.add(new TopicPartition(topic.name(), index));
                }
            }
            markers.write(
                    marker.producerId(),
                    marker.producerEpoch(),
                    marker.transactionResult(),
                    marker.transactionVersion(),
                    marker.coordinatorEpoch(),
                    partitions,
                    failed -> {
                        fill(result, marker, failed);
                        oneDone.run();
                    });
        }
        oneDone.run();
    }

    private static void fill(
            WritableTxnMarkerResult result, WritableTxnMarker marker, Map<TopicPartition, Errors> failed) {
        for (WritableTxnMarkerTopic topic : marker.topics()) {
            WritableTxnMarkerTopicResult topicResult = new WritableTxnMarkerTopicResult().setName(topic.name());
            for (int index : topic.partitionIndexes()) {
                Errors error = failed.getOrDefault(new TopicPartition(topic.name(), index), Errors.NONE);
                topicResult
                        .partitions()
                        .add(new WritableTxnMarkerPartitionResult()
                                .setPartitionIndex(index)
                                .setErrorCode(error.code()));
            }
            result.topics().add(topicResult);
        }
    }
}
