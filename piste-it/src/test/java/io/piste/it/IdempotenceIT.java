package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.FrameProxy;
import io.piste.it.support.Produce;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The idempotent producer's retries are written once. A {@link FrameProxy} between producer and broker lets
 * Produce requests through but loses some of their responses, so the producer resends batches the broker
 * already appended; the broker must recognise them by producer id, epoch and sequence.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class IdempotenceIT {
    private FrameProxy proxy;
    private TestBroker broker;
    private Path dir;

    @AfterEach
    void tearDown() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (broker != null) {
            broker.close();
        }
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldWriteRetriedBatchOnce() throws Exception {
        startBehindProxy(Set.of(1));
        final int count = 200;

        final List<RecordMetadata> acks = produce("retried", count, 1);

        assertThat(proxy.droppedResponses())
                .as("Produce responses the proxy dropped")
                .isEqualTo(1);
        assertThat(proxy.produceRequests())
                .as("Produce requests, the retry included")
                .isGreaterThan(1);
        assertExactlyOnceInOrder("retried", count, acks);
    }

    @Test
    void shouldWriteEveryBatchOnceWhenManyResponsesAreLost() throws Exception {
        // Small batches and five in flight: lost responses land in the middle of pipelined batches.
        startBehindProxy(Set.of(2, 5, 9, 14, 20));
        final int count = 3_000;

        final List<RecordMetadata> acks = produce("many-lost", count, 5);

        assertThat(proxy.droppedResponses())
                .as("Produce responses the proxy dropped")
                .isEqualTo(5);
        assertExactlyOnceInOrder("many-lost", count, acks);
    }

    private void startBehindProxy(final Set<Integer> dropProduceResponses) throws Exception {
        proxy = FrameProxy.bind(dropProduceResponses);
        dir = TestDirs.create("idempotence");
        broker = TestBroker.start(dir, Map.of("advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxy.port()));
        proxy.forwardTo(broker.port());
        Clients.createTopic(broker.bootstrapServers(), "retried", 1);
        Clients.createTopic(broker.bootstrapServers(), "many-lost", 1);
    }

    private List<RecordMetadata> produce(final String topic, final int count, final int maxInFlight) throws Exception {
        final String viaProxy = "127.0.0.1:" + proxy.port();
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(topic, 0, "k", value(i)));
        }
        try (KafkaProducer<String, String> producer = Clients.producer(
                viaProxy,
                Clients.props(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.RETRIES_CONFIG,
                        Integer.MAX_VALUE,
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                        maxInFlight,
                        ProducerConfig.BATCH_SIZE_CONFIG,
                        2_048,
                        ProducerConfig.LINGER_MS_CONFIG,
                        2,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        5_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        60_000))) {
            // The producer's delivery timeout bounds each record; the deadline bounds them all.
            return Produce.acked(producer, records, Duration.ofSeconds(60));
        }
    }

    private void assertExactlyOnceInOrder(final String topic, final int count, final List<RecordMetadata> acks) {
        for (int i = 0; i < count; i++) {
            assertThat(acks.get(i).offset())
                    .as("offset acknowledged for record %d", i)
                    .isEqualTo(i);
        }
        final List<ConsumerRecord<String, String>> records =
                Consume.allOf(broker.bootstrapServers(), topic, Duration.ofSeconds(30));
        assertThat(records)
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(
                        IntStream.range(0, count).mapToObj(IdempotenceIT::value).toList());
        assertThat(records)
                .extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(
                        IntStream.range(0, count).mapToObj(i -> (long) i).toList());
    }

    private static String value(final int i) {
        return "record-" + i;
    }
}
