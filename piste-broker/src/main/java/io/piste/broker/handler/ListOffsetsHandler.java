package io.piste.broker.handler;

import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import io.piste.storage.log.BatchLocation;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets: earliest, latest (the high watermark, as consumers see it), max timestamp, and the first
 * record at or after a timestamp. Storage finds the batch; its records are read here with the kafka-clients
 * codec, which decompresses when it has to.
 */
final class ListOffsetsHandler implements RequestHandler {

    private final BrokerContext broker;

    ListOffsetsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        ListOffsetsRequestData request = context.data();
        short version = context.apiVersion();
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsTopic topic : request.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            TopicImage known = broker.controller().image().topic(topic.name());
            for (ListOffsetsPartition p : topic.partitions()) {
                ListOffsetsPartitionResponse answer = new ListOffsetsPartitionResponse()
                    .setPartitionIndex(p.partitionIndex())
                    .setTimestamp(-1)
                    .setOffset(-1);
                topicResponse.partitions().add(answer);
                Partition partition = known == null ? null
                    : broker.replicaManager().partition(known.name(), p.partitionIndex());
                if (partition == null) {
                    answer.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                Errors epochError = partition.checkLeaderEpoch(p.currentLeaderEpoch());
                if (epochError != Errors.NONE) {
                    answer.setErrorCode(epochError.code());
                    continue;
                }
                try {
                    lookup(partition, p.timestamp(), answer);
                } catch (IOException | RuntimeException e) {
                    answer.setErrorCode(StorageErrors.forException(e).code());
                }
                if (version >= 4 && answer.offset() >= 0) {
                    answer.setLeaderEpoch(partition.leaderEpoch());
                }
            }
        }
        context.respond(response);
    }

    private static void lookup(Partition partition, long timestamp, ListOffsetsPartitionResponse answer)
        throws IOException {
        UnifiedLog log = partition.log();
        long highWatermark = partition.highWatermark();
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
            || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            answer.setOffset(log.logStartOffset());
        } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            answer.setOffset(highWatermark);
        } else if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP
            || timestamp == ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
            // No tiered storage: nothing is tiered or pending upload, which Kafka answers with offset -1.
            answer.setOffset(-1);
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            setFound(answer, maxTimestampRecord(log.batchWithMaxTimestamp()), highWatermark);
        } else if (timestamp >= 0) {
            setFound(answer, firstRecordAtOrAfter(log.findBatchByTimestamp(timestamp), timestamp), highWatermark);
        } else {
            answer.setErrorCode(Errors.INVALID_REQUEST.code());
        }
    }

    private static void setFound(ListOffsetsPartitionResponse answer, Record record, long highWatermark) {
        if (record != null && record.offset() < highWatermark) {
            answer.setOffset(record.offset()).setTimestamp(record.timestamp());
        }
    }

    private static Record firstRecordAtOrAfter(BatchLocation location, long timestamp) {
        if (location == null) {
            return null;
        }
        for (RecordBatch batch : MemoryRecords.readableRecords(location.batch()).batches()) {
            for (Record record : batch) {
                if (record.timestamp() >= timestamp) {
                    return record;
                }
            }
        }
        return null;
    }

    private static Record maxTimestampRecord(BatchLocation location) {
        if (location == null) {
            return null;
        }
        Record best = null;
        for (RecordBatch batch : MemoryRecords.readableRecords(location.batch()).batches()) {
            for (Record record : batch) {
                if (best == null || record.timestamp() > best.timestamp()) {
                    best = record;
                }
            }
        }
        return best;
    }
}
