package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersOptions;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequestCollection;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DescribeProducers through the Java Admin client ({@code Admin.describeProducers}, what {@code kafka-transactions
 * describe-producers} calls): the idempotent producer that wrote a partition, under the producer id and epoch its
 * batches carry; and the broker's answer for partitions that are not there.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DescribeProducersIT {
    private static final long WAIT_S = 30;
    /** The last fetch version that names topics. */
    private static final short FETCH_BY_NAME = 12;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @Test
    void shouldDescribeTheIdempotentProducerThatWroteThePartition() throws Exception {
        String bootstrap = BROKER.bootstrapServers();
        Clients.createTopic(bootstrap, "described", 1);
        long firstTimestamp = 1_700_000_000_000L;
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>("described", 0, firstTimestamp + i, "k" + i, "v" + i))
                        .get(WAIT_S, TimeUnit.SECONDS);
            }
        }
        List<RecordBatch> written = fetchBatches("described", 0);
        assertThat(written).as("the producer's batches").isNotEmpty();
        long producerId = written.get(0).producerId();
        short producerEpoch = written.get(0).producerEpoch();
        assertThat(producerId).as("an idempotent producer's id").isNotEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(written).allSatisfy(batch -> assertThat(batch.producerId()).isEqualTo(producerId));

        TopicPartition partition = new TopicPartition("described", 0);
        PartitionProducerState state;
        try (Admin admin = Clients.admin(bootstrap)) {
            state = admin.describeProducers(List.of(partition))
                    .partitionResult(partition)
                    .get(WAIT_S, TimeUnit.SECONDS);
        }

        assertThat(state.activeProducers()).hasSize(1);
        ProducerState producer = state.activeProducers().get(0);
        assertThat(producer.producerId()).as("producer id").isEqualTo(producerId);
        assertThat(producer.producerEpoch()).as("producer epoch").isEqualTo(producerEpoch);
        assertThat(producer.lastSequence()).as("sequence of the third record").isEqualTo(2);
        assertThat(producer.lastTimestamp()).as("timestamp of the last record").isEqualTo(firstTimestamp + 2);
        assertThat(producer.coordinatorEpoch()).as("no marker written").isEqualTo(OptionalInt.empty());
        assertThat(producer.currentTransactionStartOffset())
                .as("no open transaction")
                .isEqualTo(OptionalLong.empty());
    }

    @Test
    void shouldListTheProducerWithKafkaTransactionsDescribeProducers() throws Exception {
        String bootstrap = BROKER.bootstrapServers();
        Clients.createTopic(bootstrap, "described-by-tool", 1);
        try (KafkaProducer<String, String> producer =
                Clients.producer(bootstrap, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            producer.send(new ProducerRecord<>("described-by-tool", 0, "k", "v"))
                    .get(WAIT_S, TimeUnit.SECONDS);
        }
        long producerId = fetchBatches("described-by-tool", 0).get(0).producerId();

        List<String> lines = KafkaTool.transactionsCommand(() -> bootstrap)
                .run("describe-producers", "--topic", "described-by-tool", "--partition", "0")
                .assertSuccess()
                .stdoutLines();

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).split("\\s+"))
                .startsWith("ProducerId", "ProducerEpoch", "LatestCoordinatorEpoch", "LastSequence");
        assertThat(lines.get(1).split("\\s+"))
                .as("id, epoch, no coordinator epoch, last sequence, ..., no open transaction")
                .startsWith(Long.toString(producerId), "0", "-1", "0")
                .endsWith("None");
    }

    @Test
    void shouldLeaveTheAdminClientRetryingAnUnknownPartitionUntilItsTimeout() throws Exception {
        // Kafka's Admin client takes UNKNOWN_TOPIC_OR_PARTITION as "not there yet" and retries until its timeout, from
        // Kafka as from Piste; asked of the broker directly (brokerId), an empty success would be the broker's bug.
        Clients.createTopic(BROKER.bootstrapServers(), "two-partitions", 2);
        TopicPartition unknown = new TopicPartition("two-partitions", 7);
        Throwable failure;
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            int brokerId = admin.describeCluster()
                    .controller()
                    .get(WAIT_S, TimeUnit.SECONDS)
                    .id();
            failure = catchThrowable(() -> admin.describeProducers(
                            List.of(unknown),
                            new DescribeProducersOptions().brokerId(brokerId).timeoutMs(2_000))
                    .partitionResult(unknown)
                    .get(WAIT_S, TimeUnit.SECONDS));
        }

        assertThat(failure).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void shouldAnswerUnknownTopicOrPartitionForAPartitionTheTopicDoesNotHave() throws Exception {
        // The Admin client looks partitions up in the metadata first and retries an unknown one until its timeout;
        // the broker's own answer is read here.
        Clients.createTopic(BROKER.bootstrapServers(), "one-partition", 1);
        TopicRequestCollection topics = new TopicRequestCollection();
        topics.add(new TopicRequest().setName("one-partition").setPartitionIndexes(List.of(0, 5)));
        topics.add(new TopicRequest().setName("no-such-topic").setPartitionIndexes(List.of(0)));
        DescribeProducersResponseData response;
        try (RawClient client = RawClient.open(BROKER.broker().port())) {
            response = client.call(
                    ApiKeys.DESCRIBE_PRODUCERS,
                    ApiKeys.DESCRIBE_PRODUCERS.latestVersion(),
                    new DescribeProducersRequestData().setTopics(topics));
        }

        assertThat(response.topics()).hasSize(2);
        List<PartitionResponse> existing = response.topics().get(0).partitions();
        assertThat(existing).extracting(PartitionResponse::partitionIndex).containsExactly(0, 5);
        assertThat(existing)
                .extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(response.topics().get(1).partitions())
                .extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    /** The batches of a partition from offset 0, as a Fetch returns them (with their producer id and epoch). */
    private static List<RecordBatch> fetchBatches(String topic, int index) throws Exception {
        FetchRequestData request = new FetchRequestData()
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setTopics(List.of(new FetchTopic()
                        .setTopic(topic)
                        .setPartitions(List.of(new FetchPartition()
                                .setPartition(index)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20)))));
        FetchResponseData response;
        try (RawClient client = RawClient.open(BROKER.broker().port())) {
            response = client.call(ApiKeys.FETCH, FETCH_BY_NAME, request);
        }
        FetchResponseData.PartitionData data =
                response.responses().get(0).partitions().get(0);
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
        List<RecordBatch> batches = new ArrayList<>();
        ((MemoryRecords) data.records()).batches().forEach(batches::add);
        return batches;
    }
}
