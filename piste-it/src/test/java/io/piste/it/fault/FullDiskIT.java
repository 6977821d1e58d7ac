package io.piste.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Environment;
import io.piste.it.support.Exec;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A broker whose log dir is on a 48 MiB tmpfs: when the disk fills, produce fails with
 * KAFKA_STORAGE_ERROR while the broker stays up and serves reads; freeing space makes produce work again
 * without a restart; a broker stopped on a full disk starts again and serves its data. Needs root (mount).
 *
 * <p>The broker runs as a child process: a broker that wrote to a memory-mapped file on a full tmpfs would get
 * SIGBUS, which must not take the test JVM with it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FullDiskIT {
    private static final int RECORD_BYTES = 64 * 1024;
    private static final int FILLER_BYTES = 10 * 1024 * 1024;
    private static final String TOPIC = "fill";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    private static Path dir;
    private static Path mount;
    private static boolean mounted;
    private static BrokerProcess broker;
    private static boolean passed;

    @BeforeAll
    static void mountSmallDisk() throws IOException {
        Environment.require(Environment.isRoot(), "root, to mount a size-limited tmpfs");
        dir = TestDirs.create("full-disk");
        mount = Files.createDirectories(dir.resolve("mnt"));
        final Exec.Result result = Exec.run(
                List.of("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString()),
                "",
                Duration.ofSeconds(20));
        Environment.require(result.exitCode() == 0, "mount -t tmpfs (CAP_SYS_ADMIN): " + result);
        mounted = true;
    }

    @AfterAll
    static void unmount() {
        try {
            if (broker != null && broker.isAlive()) {
                broker.kill9();
            }
        } finally {
            if (mounted) {
                Exec.run(List.of("umount", "-l", mount.toString()), "", Duration.ofSeconds(20));
            }
            if (passed) {
                // Kept after a failure: the broker's output is there.
                TestDirs.deleteQuietly(dir);
            }
        }
    }

    @Test
    void shouldRejectProduceOnFullDiskKeepServingAndRecover() throws Exception {
        final Path filler = mount.resolve("filler.bin");
        Files.write(filler, new byte[FILLER_BYTES]);
        broker = BrokerProcess.start(
                "full-disk-broker",
                mount.resolve("logs"),
                dir,
                Map.of("log.segment.bytes", Integer.toString(4 * 1024 * 1024)));
        Clients.createTopic(broker.bootstrapServers(), TOPIC, 1);
        final List<Integer> acked = new ArrayList<>();

        // 1. Fill the disk: the first failed send tells what the broker answers.
        final Throwable fullError = fillUntilFailure(acked, 0);
        System.out.println("FullDiskIT: disk full after " + acked.size() + " records: " + fullError);
        assertThat(fullError).as("error of a produce to a full disk").isInstanceOf(KafkaStorageException.class);

        // 2. The broker is up and serves metadata and reads.
        assertThat(broker.isAlive()).as("broker alive on a full disk").isTrue();
        assertThat(Clients.describeTopic(broker.bootstrapServers(), TOPIC).partitions())
                .hasSize(1);
        assertThat(readAll()).as("records on the full disk").containsExactlyElementsOf(acked);

        // 3. Free space: produce works again, no restart.
        Files.delete(filler);
        final int afterFree = acked.size() == 0 ? 100_000 : acked.get(acked.size() - 1) + 1_000;
        assertThat(Bounded.waitFor(Duration.ofSeconds(30), Duration.ofMillis(500), () -> trySend(afterFree)))
                .as("produce succeeds within 30 s of freeing space")
                .isTrue();
        acked.add(afterFree);
        assertThat(readAll()).containsExactlyElementsOf(acked);

        // 4. Fill again, stop on the full disk, start again on it.
        final Throwable secondError = fillUntilFailure(acked, afterFree + 1);
        assertThat(secondError).isInstanceOf(KafkaStorageException.class);
        final int exitCode = broker.stop();
        System.out.println("FullDiskIT: broker stopped on a full disk with exit code " + exitCode);
        broker.restart();

        assertThat(Clients.describeTopic(broker.bootstrapServers(), TOPIC).partitions())
                .hasSize(1);
        assertThat(readAll()).as("records after a restart on the full disk").containsExactlyElementsOf(acked);
        broker.stop();
        passed = true;
    }

    /** Sends numbered records one at a time until one fails; returns its error. */
    private static Throwable fillUntilFailure(final List<Integer> acked, final int from) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = fillProducer()) {
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(90));
            for (int n = from; n < from + 2_000 && !deadline.passed(); n++) {
                try {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, value(n)))
                            .get(30, TimeUnit.SECONDS);
                    acked.add(n);
                } catch (final ExecutionException e) {
                    return e.getCause();
                }
            }
        }
        throw new AssertionError("the disk never filled: " + acked.size() + " records acknowledged");
    }

    private static boolean trySend(final int n) {
        try (KafkaProducer<byte[], byte[]> producer = fillProducer()) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, value(n))).get(30, TimeUnit.SECONDS);
            return true;
        } catch (final ExecutionException e) {
            System.out.println("FullDiskIT: produce after freeing space failed: " + e.getCause());
            return false;
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    /** No retries and no idempotence: a failed send reports the broker's own error code. */
    private static KafkaProducer<byte[], byte[]> fillProducer() {
        return Clients.bytesProducer(
                broker.bootstrapServers(),
                Clients.props(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                        ProducerConfig.RETRIES_CONFIG, 0,
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.COMPRESSION_TYPE_CONFIG, "none",
                        ProducerConfig.LINGER_MS_CONFIG, 0,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000));
    }

    private static List<Integer> readAll() {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.bytesConsumer(broker.bootstrapServers())) {
            final List<Integer> numbers = new ArrayList<>();
            for (final ConsumerRecord<byte[], byte[]> record :
                    Consume.toEnd(consumer, List.of(TP), Duration.ofSeconds(60))) {
                assertThat(record.value())
                        .as("value at offset %d", record.offset())
                        .hasSize(RECORD_BYTES);
                final int n = ByteBuffer.wrap(record.value()).getInt();
                assertThat(record.value())
                        .as("value at offset %d", record.offset())
                        .isEqualTo(value(n));
                numbers.add(n);
            }
            return numbers;
        }
    }

    /** RECORD_BYTES of pseudo-random bytes, the first four being n, so that each value can be checked. */
    private static byte[] value(final int n) {
        final byte[] bytes = new byte[RECORD_BYTES];
        new Random(n).nextBytes(bytes);
        ByteBuffer.wrap(bytes).putInt(0, n);
        return bytes;
    }
}
