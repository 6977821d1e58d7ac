package io.piste.broker.handler;

import io.piste.broker.partition.LogRetentionService;
import io.piste.broker.partition.LogRetentionService.DeleteRecordsResult;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

/**
 * DeleteRecords (what {@code kafka-delete-records} and {@code Admin.deleteRecords} send), as Kafka's ReplicaManager
 * answers it: each partition's log start offset moves up to the offset asked (-1: the high watermark), which must not
 * be above the high watermark (OFFSET_OUT_OF_RANGE); internal topics are refused (INVALID_TOPIC_EXCEPTION), and so is
 * a topic whose cleanup.policy lacks {@code delete} (POLICY_VIOLATION). The answer's low watermark is the new log start
 * offset. It comes once the offset is durable ({@code log-start-offset-checkpoint} written) and the segments below it
 * are deleted: Kafka answers once every replica has moved, and keeps it on disk by replication; a single node keeps it
 * by the checkpoint, written on the log scheduler thread, never on the event loop.
 */
final class DeleteRecordsHandler implements RequestHandler {

    private final PartitionLookup partitions;
    private final LogRetentionService retention;
    private final Function<String, Boolean> deletePolicy;

    /** {@code deletePolicy}: whether a topic's cleanup.policy holds {@code delete}. */
    DeleteRecordsHandler(
            PartitionLookup partitions, LogRetentionService retention, Function<String, Boolean> deletePolicy) {
        this.partitions = partitions;
        this.retention = retention;
        this.deletePolicy = deletePolicy;
    }

    @Override
    public void handle(RequestContext context) {
        DeleteRecordsRequestData request = context.data();
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        Map<Partition, Long> offsets = new IdentityHashMap<>();
        Map<DeleteRecordsPartitionResult, Partition> waiting = new LinkedHashMap<>();
        for (DeleteRecordsTopic topic : request.topics()) {
            DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(topicResult);
            for (DeleteRecordsPartition p : topic.partitions()) {
                DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex())
                        .setLowWatermark(-1);
                topicResult.partitions().add(result);
                Partition partition = partitions.partition(topic.name(), p.partitionIndex());
                Errors error = check(topic.name(), p, partition);
                if (error != Errors.NONE) {
                    result.setErrorCode(error.code());
                    continue;
                }
                long offset =
                        p.offset() == DeleteRecordsRequest.HIGH_WATERMARK ? partition.highWatermark() : p.offset();
                offsets.merge(partition, offset, Math::max);
                waiting.put(result, partition);
            }
        }
        if (offsets.isEmpty()) {
            context.respond(response);
            return;
        }
        retention.deleteRecords(offsets, results -> {
            for (Map.Entry<DeleteRecordsPartitionResult, Partition> e : waiting.entrySet()) {
                DeleteRecordsResult r = results.get(e.getValue());
                e.getKey().setErrorCode(r.error().code()).setLowWatermark(r.lowWatermark());
            }
            context.respond(response);
        });
    }

    private Errors check(String topic, DeleteRecordsPartition p, Partition partition) {
        if (partition == null) {
            return partitions.missingPartitionError(topic, p.partitionIndex());
        } else if (Topic.isInternal(topic)) {
            return Errors.INVALID_TOPIC_EXCEPTION;
        } else if (!Boolean.TRUE.equals(deletePolicy.apply(topic))) {
            return Errors.POLICY_VIOLATION;
        } else if (partition.isOffline()) {
            return Errors.KAFKA_STORAGE_ERROR;
        } else if (p.offset() < 0 && p.offset() != DeleteRecordsRequest.HIGH_WATERMARK) {
            return Errors.OFFSET_OUT_OF_RANGE;
        }
        return Errors.NONE;
    }
}
