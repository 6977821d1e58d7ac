package io.piste.broker.handler;

import io.piste.broker.partition.FetchIsolation;
import io.piste.broker.partition.Partition;
import io.piste.broker.partition.TimestampAndOffset;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListOffsets: earliest, latest (the high watermark as consumers see it; for read_committed the last stable offset),
 * max timestamp, and the first record at or after a timestamp, each found by the partition
 * ({@link Partition#fetchOffsetForTimestamp}). An offline partition answers KAFKA_STORAGE_ERROR.
 */
final class ListOffsetsHandler implements RequestHandler {

    private final PartitionLookup partitions;

    ListOffsetsHandler(PartitionLookup partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext context) {
        ListOffsetsRequestData request = context.data();
        short version = context.apiVersion();
        FetchIsolation isolation = FetchIsolation.ofConsumer(request.isolationLevel());
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsTopic topic : request.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            for (ListOffsetsPartition p : topic.partitions()) {
                ListOffsetsPartitionResponse answer = new ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex())
                        .setTimestamp(-1)
                        .setOffset(-1);
                topicResponse.partitions().add(answer);
                Partition partition = partitions.partition(topic.name(), p.partitionIndex());
                if (partition == null) {
                    answer.setErrorCode(partitions
                            .missingPartitionError(topic.name(), p.partitionIndex())
                            .code());
                    continue;
                }
                Errors epochError = partition.checkLeaderEpoch(p.currentLeaderEpoch());
                if (epochError != Errors.NONE) {
                    answer.setErrorCode(epochError.code());
                    continue;
                }
                TimestampAndOffset found;
                try {
                    found = partition.fetchOffsetForTimestamp(p.timestamp(), isolation);
                } catch (IOException | RuntimeException e) {
                    answer.setErrorCode(StorageErrors.forException(e).code());
                    continue;
                }
                answer.setOffset(found.offset()).setTimestamp(found.timestamp());
                if (version >= 4) {
                    answer.setLeaderEpoch(found.leaderEpoch());
                }
            }
        }
        context.respond(response);
    }
}
