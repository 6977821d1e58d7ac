package io.piste.broker.handler;

import io.piste.broker.partition.OffsetAndEpoch;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetsForLeaderEpoch: for a requested epoch, the largest epoch not above it and the offset where that
 * epoch ended (the log end for the current one), found by the partition ({@link Partition#lastOffsetForLeaderEpoch}).
 * Consumers use it to detect a truncated log. An offline partition answers KAFKA_STORAGE_ERROR.
 */
final class OffsetForLeaderEpochHandler implements RequestHandler {

    private final PartitionLookup partitions;

    OffsetForLeaderEpochHandler(PartitionLookup partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext context) {
        OffsetForLeaderEpochRequestData request = context.data();
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic topic : request.topics()) {
            OffsetForLeaderTopicResult topicResult = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            response.topics().add(topicResult);
            for (OffsetForLeaderPartition p : topic.partitions()) {
                Partition partition = partitions.partition(topic.topic(), p.partition());
                topicResult
                        .partitions()
                        .add(
                                partition == null
                                        ? new EpochEndOffset()
                                                .setPartition(p.partition())
                                                .setErrorCode(partitions
                                                        .missingPartitionError(topic.topic(), p.partition())
                                                        .code())
                                        : endOffset(partition, p));
            }
        }
        context.respond(response);
    }

    private static EpochEndOffset endOffset(Partition partition, OffsetForLeaderPartition requested) {
        EpochEndOffset answer = new EpochEndOffset().setPartition(requested.partition());
        Errors epochError = partition.checkLeaderEpoch(requested.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return answer.setErrorCode(epochError.code());
        }
        OffsetAndEpoch found;
        try {
            found = partition.lastOffsetForLeaderEpoch(requested.leaderEpoch());
        } catch (IOException | RuntimeException e) {
            return answer.setErrorCode(StorageErrors.forException(e).code());
        }
        return answer.setLeaderEpoch(found.leaderEpoch()).setEndOffset(found.endOffset());
    }
}
