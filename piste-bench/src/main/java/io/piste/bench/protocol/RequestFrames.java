package io.piste.bench.protocol;

import io.piste.bench.fixture.RecordBatches;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Request frames (header and body, without the 4-byte size the frame decoder strips) as a Java client sends
 * them at the newest stable version: one topic named by id, one batch or one fetch position per partition.
 */
final class RequestFrames {
    static final Uuid TOPIC_ID = Uuid.fromString("0AAAAAAAAAAAAAAAAAAAAA");
    static final String TOPIC = "bench";

    private RequestFrames() {}

    static ByteBuffer produce(int partitions, String compression) {
        short version = ApiKeys.PRODUCE.latestVersion(false);
        List<PartitionProduceData> data = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ByteBuffer batch = RecordBatches.batch(compression, 16384, 1024, false);
            data.add(new PartitionProduceData().setIndex(p).setRecords(MemoryRecords.readableRecords(batch)));
        }
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName(TOPIC).setTopicId(TOPIC_ID).setPartitionData(data));
        ProduceRequestData body = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(30_000)
                .setTopicData(topics);
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "producer-1", 42);
        return new ProduceRequest(body, version).serializeWithHeader(header);
    }

    static ByteBuffer fetch(int partitions) {
        short version = ApiKeys.FETCH.latestVersion(false);
        List<FetchPartition> positions = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            positions.add(new FetchPartition()
                    .setPartition(p)
                    .setFetchOffset(1_000_000L + p)
                    .setCurrentLeaderEpoch(0)
                    .setLastFetchedEpoch(-1)
                    .setLogStartOffset(-1)
                    .setPartitionMaxBytes(1_048_576));
        }
        FetchRequestData body = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(500)
                .setMinBytes(1)
                .setMaxBytes(52_428_800)
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(List.of(
                        new FetchTopic().setTopic(TOPIC).setTopicId(TOPIC_ID).setPartitions(positions)));
        RequestHeader header = new RequestHeader(ApiKeys.FETCH, version, "consumer-1", 43);
        return new FetchRequest(body, version).serializeWithHeader(header);
    }
}
