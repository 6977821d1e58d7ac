package io.piste.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.Broker;
import io.piste.broker.config.BrokerConfig;
import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.log.FaultyFiles;
import io.piste.storage.log.FileChannelFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;

/**
 * A whole broker whose disk fails an fsync, seen through the real clients: the producer whose batch the failed fsync
 * covered gets KAFKA_STORAGE_ERROR, never an ack; exactly what the failure covers goes offline (one partition for a
 * file's fsync, the whole log dir for a syncfs) while the rest serves; the clean stop leaves no clean-shutdown
 * marker, and the next start recovers the partition with every acknowledged record.
 */
class FailedFsyncIT {

    private static final String TOPIC = "fsync-fails";
    private static final long SEND_TIMEOUT_S = 30;

    @Test
    void shouldRefuseTheAckAndTakeOnlyThePartitionOfTheFailedFsyncOffline() throws Exception {
        Path logs = TestDirs.create("FailedFsyncIT-fsync").resolve("logs");
        FaultyFiles files = FaultyFiles.pathContaining(TOPIC + "-0");
        try (Broker broker = start(logs, "fsync", files)) {
            String bootstrap = "127.0.0.1:" + broker.port();
            Clients.createTopic(bootstrap, TOPIC, 2);
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                send(producer, 0, "acked-0");
                send(producer, 1, "acked-1");

                files.failFsync(true);
                assertThatThrownBy(() -> send(producer, 0, "refused-0"))
                        .hasRootCauseInstanceOf(KafkaStorageException.class);
                files.failFsync(false);
                send(producer, 1, "acked-1b"); // the other partition of the same log dir keeps serving
            }
            try (Admin admin = Clients.admin(bootstrap)) {
                assertThat(latestOffset(admin, 1))
                        .as("the other partition's log end")
                        .isEqualTo(2);
            }
        }
        assertThat(CleanShutdownMarker.exists(logs))
                .as("no clean-shutdown marker for a log dir holding an offline partition")
                .isFalse();

        assertRecoveredWith(logs, List.of("acked-0"), List.of("acked-1", "acked-1b"));
    }

    @Test
    void shouldTakeTheWholeLogDirOfTheFailedSyncfsOfflineAndAckNothingOfTheRound() throws Exception {
        Path logs = TestDirs.create("FailedFsyncIT-syncfs").resolve("logs");
        FaultyFiles files = FaultyFiles.pathContaining(logs.toString()); // the syncfs of this log dir
        try (Broker broker = start(logs, "syncfs", files)) {
            String bootstrap = "127.0.0.1:" + broker.port();
            Clients.createTopic(bootstrap, TOPIC, 2);
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                send(producer, 0, "acked-0");
                send(producer, 1, "acked-1");

                files.failFileSystemSync(true);
                assertThatThrownBy(() -> send(producer, 0, "refused-0"))
                        .hasRootCauseInstanceOf(KafkaStorageException.class);
                files.failFileSystemSync(false);
                // The failed write-back could have been any file's: the other partition of the log dir is offline too.
                assertThatThrownBy(() -> send(producer, 1, "refused-1"))
                        .hasRootCauseInstanceOf(KafkaStorageException.class);
            }
        }
        assertThat(CleanShutdownMarker.exists(logs)).isFalse();

        assertRecoveredWith(logs, List.of("acked-0"), List.of("acked-1"));
    }

    private static Broker start(Path logs, String flushMethod, FileChannelFactory files) throws Exception {
        BrokerConfig config = new BrokerConfig(Map.of(
                "listeners",
                "PLAINTEXT://127.0.0.1:0",
                "log.dirs",
                logs.toString(),
                BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG,
                "true",
                "log.flush.method",
                flushMethod));
        return Bounded.call("start broker in " + logs, TestBroker.START_TIMEOUT, () -> Broker.start(config, files));
    }

    /** Restarts on a sound disk: both partitions serve again, their acknowledged records first, and take appends. */
    private static void assertRecoveredWith(Path logs, List<String> partition0, List<String> partition1)
            throws Exception {
        try (Broker broker = start(logs, "fsync", FileChannelFactory.DEFAULT)) {
            String bootstrap = "127.0.0.1:" + broker.port();
            assertThat(values(bootstrap, 0)).startsWith(partition0.toArray(String[]::new));
            assertThat(values(bootstrap, 1)).startsWith(partition1.toArray(String[]::new));
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                send(producer, 0, "after-restart-0");
                send(producer, 1, "after-restart-1");
            }
        }
    }

    /** Retries off and idempotence off: the first KAFKA_STORAGE_ERROR reaches the caller. */
    private static KafkaProducer<String, String> producer(String bootstrap) {
        return Clients.producer(
                bootstrap,
                Map.of(
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.RETRIES_CONFIG,
                        0,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        false));
    }

    private static void send(KafkaProducer<String, String> producer, int partition, String value) throws Exception {
        try {
            producer.send(new ProducerRecord<>(TOPIC, partition, null, value)).get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("send of " + value + " to partition " + partition + " failed", e);
        }
    }

    private static long latestOffset(Admin admin, int partition) throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                .partitionResult(tp)
                .get(SEND_TIMEOUT_S, TimeUnit.SECONDS)
                .offset();
    }

    /** Every value of the partition from its start, read until the end offset seen first. */
    private static List<String> values(String bootstrap, int partition) throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline =
                    System.nanoTime() + Duration.ofSeconds(SEND_TIMEOUT_S).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
