package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.FileSliceRecords;
import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Reads the data of one fetch request into a response, as Kafka bounds it: at most {@code maxBytes} in all
 * and {@code partitionMaxBytes} per partition, except that the first batch found is sent whole even when it
 * is larger, so a consumer can always make progress.
 */
final class FetchReader {

    record Result(FetchResponseData response, long bytes, boolean hasError) {
    }

    private final List<FetchTarget> targets;
    private final int maxBytes;

    FetchReader(List<FetchTarget> targets, int maxBytes) {
        this.targets = targets;
        this.maxBytes = maxBytes;
    }

    Result read() {
        FetchResponseData response = new FetchResponseData();
        FetchableTopicResponse topicResponse = null;
        long bytes = 0;
        boolean hasError = false;
        for (FetchTarget target : targets) {
            if (topicResponse == null || !sameTopic(topicResponse, target)) {
                topicResponse = new FetchableTopicResponse().setTopic(target.topicName()).setTopicId(target.topicId());
                response.responses().add(topicResponse);
            }
            PartitionData data = new PartitionData()
                .setPartitionIndex(target.partitionIndex())
                .setRecords(MemoryRecords.EMPTY);
            topicResponse.partitions().add(data);
            Errors error = target.error() != Errors.NONE ? target.error()
                // Deleted with its topic while the fetch was parked: as Kafka answers for a partition it stopped.
                : target.partition().isDeleted() ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                : readPartition(target, data, (int) Math.min(Integer.MAX_VALUE, Math.max(0, maxBytes - bytes)),
                    bytes == 0);
            if (error != Errors.NONE) {
                data.setErrorCode(error.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
                hasError = true;
                if (target.partition() != null) {
                    fillOffsets(target.partition(), data);
                }
            }
            bytes += data.records().sizeInBytes();
        }
        return new Result(response, bytes, hasError);
    }

    private static boolean sameTopic(FetchableTopicResponse response, FetchTarget target) {
        return response.topic().equals(target.topicName()) && response.topicId().equals(target.topicId());
    }

    private static Errors readPartition(FetchTarget target, PartitionData data, int bytesLeft, boolean firstData) {
        Partition partition = target.partition();
        UnifiedLog log = partition.log();
        long highWatermark = partition.highWatermark();
        fillOffsets(partition, data);
        int limit = Math.min(target.partitionMaxBytes(), bytesLeft);
        try {
            FetchDataInfo info = log.read(target.fetchOffset(), limit, highWatermark, firstData);
            if (!info.isEmpty()) {
                data.setRecords(new FileSliceRecords(info.channel(), info.position(), info.sizeInBytes()));
            }
            return Errors.NONE;
        } catch (IOException | RuntimeException e) {
            return StorageErrors.forException(e);
        }
    }

    private static void fillOffsets(Partition partition, PartitionData data) {
        long highWatermark = partition.highWatermark();
        data.setHighWatermark(highWatermark)
            .setLastStableOffset(highWatermark)
            .setLogStartOffset(partition.log().logStartOffset());
    }
}
