package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * acks=all is answered only once the high watermark has passed the batch: a producer that lists the latest
 * offset (the high watermark, for a client) right after its ack sees its own record. Several producers share
 * one partition, so that acks, flushes and ListOffsets interleave; in both durability modes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AckVisibilityIT {
    private static final String TOPIC = "ack-visibility";
    private static final int PRODUCERS = 8;
    private static final int RECORDS_PER_PRODUCER = 150;

    private TestBroker broker;
    private Path dir;

    @AfterEach
    void tearDown() throws IOException {
        if (broker != null) {
            broker.close();
        }
        TestDirs.deleteQuietly(dir);
    }

    @ParameterizedTest(name = "log.flush.on.ack={0}")
    @ValueSource(strings = {"true", "false"})
    void shouldListItsOwnRecordRightAfterEachAck(final String flushOnAck) throws Exception {
        dir = TestDirs.create("ack-visibility");
        broker = TestBroker.start(dir, Map.of("log.flush.on.ack", flushOnAck));
        Clients.createTopic(broker.bootstrapServers(), TOPIC, 1);

        final ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            final List<Future<Integer>> runs = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                final int producerIndex = p;
                runs.add(producers.submit(() -> produceAndList(admin, producerIndex)));
            }
            final int checked = Bounded.call("producers acking and listing offsets", Duration.ofSeconds(90), () -> {
                int total = 0;
                for (final Future<Integer> run : runs) {
                    total += run.get();
                }
                return total;
            });
            assertThat(checked).as("acks checked").isEqualTo(PRODUCERS * RECORDS_PER_PRODUCER);
        } finally {
            producers.shutdownNow();
        }
    }

    /** Sends one record at a time; after each ack, the latest offset must be past the record. */
    private int produceAndList(final Admin admin, final int producerIndex) throws Exception {
        final TopicPartition partition = new TopicPartition(TOPIC, 0);
        int checked = 0;
        try (KafkaProducer<String, String> producer =
                Clients.producer(broker.bootstrapServers(), Clients.props("linger.ms", 0))) {
            for (int i = 0; i < RECORDS_PER_PRODUCER; i++) {
                final RecordMetadata ack = producer.send(
                                new ProducerRecord<>(TOPIC, 0, "p" + producerIndex, "record-" + i))
                        .get(Clients.DELIVERY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                final long latest = admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                        .partitionResult(partition)
                        .get(Clients.API_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .offset();
                assertThat(latest)
                        .as("latest offset right after producer %d's ack of offset %d", producerIndex, ack.offset())
                        .isGreaterThan(ack.offset());
                checked++;
            }
        }
        return checked;
    }
}
