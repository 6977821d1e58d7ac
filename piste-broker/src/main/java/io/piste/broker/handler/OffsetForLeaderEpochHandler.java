package io.piste.broker.handler;

import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import io.piste.storage.checkpoint.EpochEntry;
import io.piste.storage.log.UnifiedLog;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetsForLeaderEpoch: for a requested epoch, the largest epoch not above it and the offset where that
 * epoch ended (the log end for the current one). Consumers use it to detect a truncated log.
 */
final class OffsetForLeaderEpochHandler implements RequestHandler {

    private final BrokerContext broker;

    OffsetForLeaderEpochHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        OffsetForLeaderEpochRequestData request = context.data();
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic topic : request.topics()) {
            OffsetForLeaderTopicResult topicResult = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            response.topics().add(topicResult);
            TopicImage known = broker.controller().image().topic(topic.topic());
            for (OffsetForLeaderPartition p : topic.partitions()) {
                Partition partition = known == null ? null
                    : broker.replicaManager().partition(known.name(), p.partition());
                topicResult.partitions().add(endOffset(partition, p));
            }
        }
        context.respond(response);
    }

    private static EpochEndOffset endOffset(Partition partition, OffsetForLeaderPartition requested) {
        EpochEndOffset answer = new EpochEndOffset().setPartition(requested.partition());
        if (partition == null) {
            return answer.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Errors epochError = partition.checkLeaderEpoch(requested.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return answer.setErrorCode(epochError.code());
        }
        UnifiedLog log = partition.log();
        int found = -1;
        for (EpochEntry entry : log.epochEntries()) {
            if (entry.epoch() <= requested.leaderEpoch()) {
                found = entry.epoch();
            }
        }
        if (found < 0 && requested.leaderEpoch() >= partition.leaderEpoch()) {
            // Nothing appended yet in any epoch: the current epoch starts and ends at the log end.
            return answer.setLeaderEpoch(partition.leaderEpoch()).setEndOffset(log.logEndOffset());
        }
        if (found < 0) {
            return answer.setLeaderEpoch(-1).setEndOffset(-1);
        }
        return answer.setLeaderEpoch(found).setEndOffset(log.endOffsetForEpoch(found));
    }
}
