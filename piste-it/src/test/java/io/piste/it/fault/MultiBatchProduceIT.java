package io.piste.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.RawClient;
import io.piste.it.support.RawConnection;
import io.piste.it.support.RawConnection.Outcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Produce request must carry exactly one record batch per partition (Kafka's rule from Produce v3): two batches
 * in one partition's records, or the same partition listed twice, are refused with INVALID_RECORD and append
 * nothing, so an idempotent retry can never be half taken as a duplicate. A refused acks=0 produce closes the
 * connection, as Kafka does, since no answer can carry the error.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MultiBatchProduceIT {
    private static final short PRODUCE_VERSION = 12;
    private static final short INIT_PRODUCER_ID_VERSION = 4;
    private static final short API_VERSIONS_VERSION = 3;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @Test
    void shouldRefuseANewBatchAndARetriedOneInOnePartitionsRecords() throws Exception {
        final String topic = "new-and-retried";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        try (RawClient client = RawClient.open(BROKER.broker().port())) {
            final InitProducerIdResponseData producer = client.call(
                    ApiKeys.INIT_PRODUCER_ID,
                    INIT_PRODUCER_ID_VERSION,
                    new InitProducerIdRequestData()
                            .setTransactionalId(null)
                            .setTransactionTimeoutMs(-1)
                            .setProducerId(-1)
                            .setProducerEpoch((short) -1));
            assertThat(Errors.forCode(producer.errorCode())).isEqualTo(Errors.NONE);
            final long producerId = producer.producerId();
            final short epoch = producer.producerEpoch();
            final MemoryRecords first = idempotent(producerId, epoch, 0, 3);
            assertThat(onlyAnswer(client.call(ApiKeys.PRODUCE, PRODUCE_VERSION, produce(topic, first)))
                            .errorCode())
                    .isEqualTo(Errors.NONE.code());

            // A new batch (sequence 3) then a retry of the first one: the retry must not hide the new batch.
            final MemoryRecords newThenRetried =
                    concat(idempotent(producerId, epoch, 3, 2), idempotent(producerId, epoch, 0, 3));
            final PartitionProduceResponse refused =
                    onlyAnswer(client.call(ApiKeys.PRODUCE, PRODUCE_VERSION, produce(topic, newThenRetried)));

            assertThat(Errors.forCode(refused.errorCode())).isEqualTo(Errors.INVALID_RECORD);
            assertThat(endOffset(topic)).as("nothing appended").isEqualTo(3);
            final PartitionProduceResponse next = onlyAnswer(
                    client.call(ApiKeys.PRODUCE, PRODUCE_VERSION, produce(topic, idempotent(producerId, epoch, 3, 2))));
            assertThat(Errors.forCode(next.errorCode())).isEqualTo(Errors.NONE);
            assertThat(next.baseOffset()).isEqualTo(3);
        }
    }

    @Test
    void shouldRefuseAPartitionListedTwiceInOneRequest() throws Exception {
        final String topic = "listed-twice";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        final ProduceRequestData request = produce(topic, plain("a"));
        request.topicData()
                .iterator()
                .next()
                .partitionData()
                .add(new PartitionProduceData().setIndex(0).setRecords(plain("b")));
        try (RawClient client = RawClient.open(BROKER.broker().port())) {
            final ProduceResponseData response = client.call(ApiKeys.PRODUCE, PRODUCE_VERSION, request);

            final List<Errors> errors = new ArrayList<>();
            response.responses()
                    .forEach(t -> t.partitionResponses().forEach(p -> errors.add(Errors.forCode(p.errorCode()))));
            assertThat(errors).containsExactly(Errors.INVALID_RECORD, Errors.INVALID_RECORD);
        }
        assertThat(endOffset(topic)).as("nothing appended").isZero();
    }

    @Test
    void shouldAnswerCorruptMessageForABatchLengthShorterThanAHeader() throws Exception {
        final String topic = "short-batch-length";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        final ByteBuffer bytes = plain("a").buffer();
        bytes.putInt(bytes.position() + 8, -5);
        try (RawClient client = RawClient.open(BROKER.broker().port())) {
            final PartitionProduceResponse refused = onlyAnswer(client.call(
                    ApiKeys.PRODUCE, PRODUCE_VERSION, produce(topic, MemoryRecords.readableRecords(bytes))));

            assertThat(Errors.forCode(refused.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
        }
        assertThat(endOffset(topic)).as("nothing appended").isZero();
    }

    @Test
    void shouldCloseTheConnectionOfAnAcksZeroProduceWithARefusedPartition() throws Exception {
        final String topic = "acks-zero-refused";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        final ApiVersionsRequestData versions = new ApiVersionsRequestData();
        try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
            // Accepted: no answer, and the connection stays usable.
            assertThat(connection.send(RawClient.frame(
                            ApiKeys.PRODUCE,
                            PRODUCE_VERSION,
                            1,
                            produce(topic, plain("a")).setAcks((short) 0))))
                    .isTrue();
            assertThat(connection.send(RawClient.frame(ApiKeys.API_VERSIONS, API_VERSIONS_VERSION, 2, versions)))
                    .isTrue();
            assertThat(connection.await(RawClient.ANSWER_TIMEOUT)).isEqualTo(Outcome.RESPONSE);

            // Refused (two batches): the closed connection is the only way to tell an acks=0 producer.
            assertThat(connection.send(RawClient.frame(
                            ApiKeys.PRODUCE,
                            PRODUCE_VERSION,
                            3,
                            produce(topic, concat(plain("b"), plain("c"))).setAcks((short) 0))))
                    .isTrue();
            assertThat(connection.await(RawClient.ANSWER_TIMEOUT)).isEqualTo(Outcome.CLOSED);
        }
        assertThat(endOffset(topic)).as("only the accepted batch").isEqualTo(1);
    }

    private static ProduceRequestData produce(final String topic, final MemoryRecords records) {
        final ProduceRequestData request =
                new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        final TopicProduceData topicData = new TopicProduceData().setName(topic);
        topicData.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records));
        request.topicData().add(topicData);
        return request;
    }

    private static PartitionProduceResponse onlyAnswer(final ProduceResponseData response) {
        assertThat(response.responses()).hasSize(1);
        assertThat(response.responses().iterator().next().partitionResponses()).hasSize(1);
        return response.responses().iterator().next().partitionResponses().get(0);
    }

    private static MemoryRecords idempotent(
            final long producerId, final short epoch, final int firstSequence, final int count) {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(
                    System.currentTimeMillis(), ("seq-" + (firstSequence + i)).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, firstSequence, records);
    }

    private static MemoryRecords plain(final String value) {
        return MemoryRecords.withRecords(
                Compression.NONE, new SimpleRecord(System.currentTimeMillis(), value.getBytes(StandardCharsets.UTF_8)));
    }

    private static MemoryRecords concat(final MemoryRecords first, final MemoryRecords second) {
        final ByteBuffer both = ByteBuffer.allocate(first.sizeInBytes() + second.sizeInBytes());
        both.put(first.buffer()).put(second.buffer()).flip();
        return MemoryRecords.readableRecords(both);
    }

    private static long endOffset(final String topic) throws Exception {
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final TopicPartition partition = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                    .partitionResult(partition)
                    .get(Clients.API_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .offset();
        }
    }
}
