package io.piste.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.leak.NettyLeakCheck;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffer-lifetime rule of {@link io.piste.broker.protocol.RequestHandler}, end to end: Produce records are slices
 * of a pooled network frame that is released (and its memory reused by the next frames) as soon as the handler
 * returns, while acks=all answers only after the group commit. What is in the segment file must still be exactly the
 * bytes sent, and nothing may leak, under paranoid leak detection.
 */
@Timeout(120)
class ProduceLifetimeTest {

    private static final String TOPIC = "lifetime";
    private static final short PRODUCE_VERSION = 12;
    private static final int REQUESTS = 400;
    /** Requests written before their answers are read, so that frames are cut from shared read buffers. */
    private static final int PIPELINED = 40;

    @TempDir
    Path dir;

    @Test
    void shouldAppendTheBytesSentAfterTheFramesAreReleased() throws Exception {
        Random random = new Random(13);
        List<byte[]> sent = new ArrayList<>();
        List<Long> baseOffsets = new ArrayList<>();
        long nextOffset = 0;
        Path logDir = dir.resolve("logs");
        try (Broker broker = Broker.start(new BrokerConfig(
                        Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", logDir.toString())));
                RawConnection connection = RawConnection.open(broker.port())) {
            createTopic(connection);
            for (int done = 0; done < REQUESTS; done += PIPELINED) {
                for (int i = 0; i < PIPELINED; i++) {
                    MemoryRecords records = randomBatch(random);
                    sent.add(bytes(records.buffer()));
                    baseOffsets.add(nextOffset);
                    nextOffset += records.batches().iterator().next().countOrNull();
                    connection.send(produce(records));
                }
                for (int i = 0; i < PIPELINED; i++) {
                    ProduceResponseData response =
                            (ProduceResponseData) connection.receive(ApiKeys.PRODUCE, PRODUCE_VERSION);
                    PartitionProduceResponse partition = response.responses()
                            .iterator()
                            .next()
                            .partitionResponses()
                            .get(0);
                    assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NONE);
                    assertThat(partition.baseOffset()).isEqualTo(baseOffsets.get(done + i));
                }
            }
        }

        // After the broker is closed every frame has long been released and its memory reused.
        byte[] segment = Files.readAllBytes(logDir.resolve(TOPIC + "-0").resolve("00000000000000000000.log"));
        ByteBuffer stored = ByteBuffer.wrap(segment);
        for (int i = 0; i < REQUESTS; i++) {
            byte[] expected = sent.get(i);
            assertThat(stored.remaining()).as("batch %d is in the segment", i).isGreaterThanOrEqualTo(expected.length);
            byte[] actual = new byte[expected.length];
            stored.get(actual);
            assertThat(stored.getLong(stored.position() - expected.length))
                    .as("base offset of batch %d", i)
                    .isEqualTo(baseOffsets.get(i));
            // The broker rewrites the base offset (bytes 0-7) and the partition leader epoch (12-15) in place; the
            // length, and everything the CRC covers from the magic byte on, are the producer's bytes.
            assertThat(ByteBuffer.wrap(actual, 8, 4)).isEqualTo(ByteBuffer.wrap(expected, 8, 4));
            assertThat(ByteBuffer.wrap(actual, 16, actual.length - 16))
                    .as("batch %d as sent", i)
                    .isEqualTo(ByteBuffer.wrap(expected, 16, expected.length - 16));
        }
        assertThat(stored.remaining()).isZero();
        NettyLeakCheck.assertNoLeaks("the produce lifetime test");
    }

    private static void createTopic(RawConnection connection) throws IOException {
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(10_000);
        data.topics()
                .add(new CreatableTopic().setName(TOPIC).setNumPartitions(1).setReplicationFactor((short) 1));
        CreateTopicsResponseData response =
                (CreateTopicsResponseData) connection.call(new CreateTopicsRequest.Builder(data).build((short) 7));
        assertThat(Errors.forCode(response.topics().iterator().next().errorCode()))
                .isEqualTo(Errors.NONE);
    }

    private static MemoryRecords randomBatch(Random random) {
        int count = 1 + random.nextInt(20);
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[random.nextInt(2000)];
            random.nextBytes(value);
            records[i] = new SimpleRecord(System.currentTimeMillis(), ("k" + i).getBytes(), value);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private static ProduceRequest produce(MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        TopicProduceData topic = new TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topic);
        return new ProduceRequest(data, PRODUCE_VERSION);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
