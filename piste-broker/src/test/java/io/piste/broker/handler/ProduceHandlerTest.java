package io.piste.broker.handler;

import static io.piste.broker.partition.TestPartitions.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.FileSliceRecords;
import io.piste.broker.txn.FakeMarkers;
import io.piste.broker.txn.FakeTransactionLog;
import io.piste.broker.txn.RemoteCoordinators;
import io.piste.broker.txn.TransactionConfig;
import io.piste.broker.txn.TransactionCoordinator;
import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.log.FileChannelFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Produce into real partitions over real logs: what is appended, what is refused, and when each acks answers. */
class ProduceHandlerTest extends OnePartitionHandlerTest {

    private static final short BY_NAME = 9;
    private static final short BY_ID = 13;

    private final TransactionCoordinator transactions = new TransactionCoordinator(
            TransactionConfig.KAFKA_DEFAULTS, new FakeTransactionLog(), () -> 1L, new FakeMarkers(), () -> 0L);

    @AfterEach
    void closeCoordinator() {
        transactions.close();
    }

    private static TopicProduceData topic(short version, String name, Uuid id, PartitionProduceData... data) {
        TopicProduceData topic =
                version >= BY_ID ? new TopicProduceData().setTopicId(id) : new TopicProduceData().setName(name);
        topic.partitionData().addAll(List.of(data));
        return topic;
    }

    private static PartitionProduceData records(int index, MemoryRecords records) {
        return new PartitionProduceData().setIndex(index).setRecords(records);
    }

    private static ProduceRequestData request(short acks, TopicProduceData... topics) {
        ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000);
        for (TopicProduceData topic : topics) {
            request.topicData().add(topic);
        }
        return request;
    }

    private RecordedRequest handle(short version, ProduceRequestData request) {
        RecordedRequest recorded = new RecordedRequest(ApiKeys.PRODUCE, version, request, null);
        new ProduceHandler(lookup, transactions, RemoteCoordinators.NONE).handle(recorded.context());
        return recorded;
    }

    private static List<PartitionProduceResponse> answers(ProduceResponseData response) {
        List<PartitionProduceResponse> answers = new ArrayList<>();
        response.responses().forEach(topic -> answers.addAll(topic.partitionResponses()));
        return answers;
    }

    private static Errors error(PartitionProduceResponse answer) {
        return Errors.forCode(answer.errorCode());
    }

    /** The values in the partition's log up to its end, with their offsets. */
    private static List<String> logged(Partition partition) throws IOException {
        if (partition.logEndOffset() == 0) {
            return List.of();
        }
        FetchDataInfo data = partition.readToLogEnd(0, 1 << 20);
        return RecordedRequest.offsetsAndValues(
                new FileSliceRecords(data.channel(), data.position(), data.sizeInBytes()));
    }

    @Test
    void shouldAppendAndAnswerWithTheBaseOffsetOnceAppendedForAcksOne() throws Exception {
        PartitionProduceResponse first = answers(handle(
                                BY_NAME, request((short) 1, topic(BY_NAME, "t", TOPIC_ID, records(0, batch("a")))))
                        .answerNow())
                .get(0);
        PartitionProduceResponse second = answers(handle(
                                BY_ID, request((short) 1, topic(BY_ID, "t", TOPIC_ID, records(0, batch("b")))))
                        .answerNow())
                .get(0);

        assertThat(error(first)).isEqualTo(Errors.NONE);
        assertThat(first.baseOffset()).isZero();
        assertThat(first.logStartOffset()).isZero();
        assertThat(first.logAppendTimeMs()).as("CreateTime topic").isEqualTo(-1);
        assertThat(error(second)).as("the same topic named by id").isEqualTo(Errors.NONE);
        assertThat(second.baseOffset()).isEqualTo(1);
        assertThat(logged(partition)).containsExactly("0:a", "1:b");
        assertThat(partition.highWatermark()).isEqualTo(2);
    }

    @Test
    void shouldAnswerAcksAllOnceTheRecordsAreFlushedAndVisible() throws Exception {
        Partition durable = partitions.open("d", 0, true, FileChannelFactory.DEFAULT);
        lookup.add(Uuid.randomUuid(), durable);

        RecordedRequest recorded =
                handle(BY_NAME, request((short) -1, topic(BY_NAME, "d", null, records(0, batch("a")))));

        PartitionProduceResponse answer = answers(recorded.awaitAnswer()).get(0);
        assertThat(error(answer)).isEqualTo(Errors.NONE);
        assertThat(answer.baseOffset()).isZero();
        assertThat(durable.highWatermark())
                .as("the flush moved the high watermark before the answer")
                .isEqualTo(1);
        assertThat(durable.flushCount()).isPositive();
    }

    @Test
    void shouldAnswerNothingForAcksZeroAndCloseTheConnectionWhenAPartitionFailed() throws Exception {
        RecordedRequest ok = handle(BY_NAME, request((short) 0, topic(BY_NAME, "t", null, records(0, batch("a")))));
        RecordedRequest failed = handle(BY_NAME, request((short) 0, topic(BY_NAME, "t", null, records(5, batch("b")))));

        assertThat(ok.answeredWithoutResponse()).isTrue();
        assertThat(ok.connectionClosed()).isFalse();
        assertThat(failed.answeredWithoutResponse()).isTrue();
        assertThat(failed.connectionClosed())
                .as("the only way to tell an acks=0 producer")
                .isTrue();
        assertThat(logged(partition)).containsExactly("0:a");
    }

    @Test
    void shouldRefuseAcksOtherThanMinusOneZeroOrOne() {
        ProduceResponseData response = handle(
                        BY_NAME, request((short) 2, topic(BY_NAME, "t", null, records(0, batch("a")))))
                .answerNow();

        assertThat(error(answers(response).get(0))).isEqualTo(Errors.INVALID_REQUIRED_ACKS);
        assertThat(partition.logEndOffset()).isZero();
    }

    @Test
    void shouldAnswerUnknownTopicsAndPartitionsAsKafkaDoes() {
        List<PartitionProduceResponse> byName = answers(handle(
                        BY_NAME,
                        request(
                                (short) 1,
                                topic(BY_NAME, "nope", null, records(0, batch("a"))),
                                topic(BY_NAME, "t", null, records(1, batch("b")))))
                .answerNow());
        List<PartitionProduceResponse> byId = answers(handle(
                        BY_ID,
                        request(
                                (short) 1,
                                topic(BY_ID, null, Uuid.randomUuid(), records(0, batch("c"))),
                                topic(BY_ID, null, TOPIC_ID, records(1, batch("d")))))
                .answerNow());

        assertThat(byName)
                .extracting(ProduceHandlerTest::error)
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(byId)
                .extracting(ProduceHandlerTest::error)
                .containsExactly(Errors.UNKNOWN_TOPIC_ID, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(byName).extracting(PartitionProduceResponse::baseOffset).containsOnly(-1L);
        assertThat(partition.logEndOffset()).isZero();
    }

    @Test
    void shouldRefuseInternalTopicsRepeatedPartitionsSeveralBatchesAndTransactions() throws Exception {
        Partition offsets = partitions.open(Topic.GROUP_METADATA_TOPIC_NAME, 0);
        lookup.add(Uuid.randomUuid(), offsets);
        ByteBuffer twoBatches = ByteBuffer.allocate(2 * batch("x").sizeInBytes());
        twoBatches.put(batch("x").buffer()).put(batch("y").buffer()).flip();

        List<PartitionProduceResponse> internal = answers(handle(
                        BY_NAME,
                        request(
                                (short) 1,
                                topic(BY_NAME, Topic.GROUP_METADATA_TOPIC_NAME, null, records(0, batch("a")))))
                .answerNow());
        List<PartitionProduceResponse> repeated = answers(handle(
                        BY_NAME,
                        request((short) 1, topic(BY_NAME, "t", null, records(0, batch("a")), records(0, batch("b")))))
                .answerNow());
        List<PartitionProduceResponse> several = answers(handle(
                        BY_NAME,
                        request(
                                (short) 1,
                                topic(BY_NAME, "t", null, records(0, MemoryRecords.readableRecords(twoBatches)))))
                .answerNow());
        // the hostile form: a transactional batch with no transactional id, which nothing could ever commit or abort
        MemoryRecords openTransaction = MemoryRecords.withTransactionalRecords(
                Compression.NONE, 4000L, (short) 0, 0, new SimpleRecord("k".getBytes(), "v".getBytes()));
        List<PartitionProduceResponse> transactionalBatch =
                answers(handle(BY_NAME, request((short) 1, topic(BY_NAME, "t", null, records(0, openTransaction))))
                        .answerNow());

        assertThat(internal).extracting(ProduceHandlerTest::error).containsExactly(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(repeated)
                .extracting(ProduceHandlerTest::error)
                .containsExactly(Errors.INVALID_RECORD, Errors.INVALID_RECORD);
        assertThat(several).extracting(ProduceHandlerTest::error).containsExactly(Errors.INVALID_RECORD);
        assertThat(transactionalBatch)
                .extracting(ProduceHandlerTest::error)
                .containsExactly(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        assertThat(offsets.logEndOffset())
                .as("nothing appended to the internal topic")
                .isZero();
        assertThat(partition.logEndOffset()).as("nothing appended in part").isZero();
    }

    /** The transaction coordinator's topic is refused as __consumer_offsets is: only the broker writes it. */
    @Test
    void shouldRefuseAProduceToTheTransactionStateTopic() throws Exception {
        Partition state = partitions.open(Topic.TRANSACTION_STATE_TOPIC_NAME, 0);
        Uuid stateId = Uuid.randomUuid();
        lookup.add(stateId, state);

        PartitionProduceResponse byName = answers(handle(
                                BY_NAME,
                                request(
                                        (short) -1,
                                        topic(
                                                BY_NAME,
                                                Topic.TRANSACTION_STATE_TOPIC_NAME,
                                                null,
                                                records(0, batch("a")))))
                        .answerNow())
                .get(0);
        PartitionProduceResponse byId = answers(handle(
                                BY_ID, request((short) 1, topic(BY_ID, null, stateId, records(0, batch("b")))))
                        .answerNow())
                .get(0);

        assertThat(error(byName)).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(error(byId)).as("named by its id").isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(state.logEndOffset()).isZero();
    }

    @Test
    void shouldAnswerKafkaStorageErrorForAnOfflinePartition() throws Exception {
        Partition offline = partitions.openOffline("u", 0);
        lookup.add(Uuid.randomUuid(), offline);
        long logEnd = offline.logEndOffset();

        for (short acks : new short[] {1, -1}) {
            RecordedRequest recorded =
                    handle(BY_NAME, request(acks, topic(BY_NAME, "u", null, records(0, batch("a")))));

            PartitionProduceResponse answer = answers(recorded.awaitAnswer()).get(0);
            assertThat(error(answer)).as("acks=" + acks).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
            assertThat(answer.baseOffset()).isEqualTo(-1);
        }
        assertThat(offline.logEndOffset()).as("nothing appended").isEqualTo(logEnd);
    }
}
