package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After an unclean stop the broker re-validates the tail of each log and truncates it at the first bad batch:
 * junk after the last batch (a torn write) is dropped with nothing lost, and a batch whose bytes changed on disk
 * is dropped with the batches after it, the records before it kept and new records appended where it began.
 *
 * <p>Relies on the layout of ARCHITECTURE.md: {@code <log.dirs>/<topic>-<partition>/<baseOffset>.log}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CorruptTailIT {
    private static final int RECORDS = 100;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private BrokerProcess broker;
    private Path dir;

    @Test
    void shouldDropJunkAfterLastBatch() throws Exception {
        final String topic = "torn-write";
        startAndProduce(topic);
        broker.kill9();
        final Path segment = lastSegment(topic);
        final byte[] junk = new byte[700];
        new Random(7).nextBytes(junk);
        Files.write(segment, junk, StandardOpenOption.APPEND);

        broker.restart();

        assertThat(values(topic)).as("records after recovery").containsExactlyElementsOf(expected(RECORDS));
        assertThat(produceOne(topic, "after")).as("offset of the next record").isEqualTo(RECORDS);
        assertThat(values(topic)).hasSize(RECORDS + 1).endsWith("after");
        broker.stop();
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldTruncateAtBatchWithBadCrc() throws Exception {
        final String topic = "bad-crc";
        startAndProduce(topic);
        broker.kill9();
        final Path segment = lastSegment(topic);
        // Each record went in its own batch (linger.ms=0, one send at a time), ~120 bytes; flipping bytes 30
        // from the end changes the last batch's record data, which its CRC32C covers.
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            final long position = file.length() - 30;
            file.seek(position);
            final int b = file.read();
            file.seek(position);
            file.write(b ^ 0xFF);
        }

        broker.restart();

        assertThat(values(topic))
                .as("records after recovery: the corrupt last batch is gone")
                .containsExactlyElementsOf(expected(RECORDS - 1));
        assertThat(produceOne(topic, "after")).as("offset of the next record").isEqualTo(RECORDS - 1);
        broker.stop();
        TestDirs.deleteQuietly(dir);
    }

    private void startAndProduce(final String topic) throws Exception {
        dir = TestDirs.create(topic);
        broker = brokers.start(topic + "-broker", dir.resolve("logs"), dir, Map.of());
        Clients.createTopic(broker.bootstrapServers(), topic, 1);
        try (KafkaProducer<String, String> producer = Clients.producer(
                broker.bootstrapServers(),
                Clients.props(ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", value(i))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private long produceOne(final String topic, final String value) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            return producer.send(new ProducerRecord<>(topic, 0, "k", value))
                    .get(30, TimeUnit.SECONDS)
                    .offset();
        }
    }

    private List<String> values(final String topic) {
        return Consume.allOf(broker.bootstrapServers(), topic, Duration.ofSeconds(30)).stream()
                .map(ConsumerRecord::value)
                .toList();
    }

    private Path lastSegment(final String topic) throws IOException {
        final Path partitionDir = dir.resolve("logs").resolve(topic + "-0");
        assertThat(partitionDir).as("partition directory").isDirectory();
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.log"))
                    .max(Comparator.comparing(f -> f.getFileName().toString()))
                    .orElseThrow(() -> new AssertionError("no <baseOffset>.log in " + partitionDir));
        }
    }

    private static List<String> expected(final int count) {
        return IntStream.range(0, count).mapToObj(CorruptTailIT::value).toList();
    }

    private static String value(final int i) {
        return "record " + i + " with some text to make the batch a little longer than its header";
    }
}
