package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A broker with 2,000 partitions restarts, after a clean stop and after {@code kill -9}, and serves every partition
 * as before: its end and start offsets, its records, and the group offsets committed on it. The logs of user topics
 * open at their first use after a start (docs/architecture.md, "Start-up"), so half the partitions are left
 * untouched after each restart until the end, when they are listed and read for the first time.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ManyPartitionsRestartIT {
    private static final String TOPIC = "many";
    private static final String GROUP = "many-group";
    private static final int PARTITIONS = 2_000;
    private static final Duration POLL = Duration.ofMillis(200);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private Path dir;

    @AfterEach
    void deleteDir() {
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldServeEveryPartitionAfterACleanStopAndAfterKill9() throws Exception {
        dir = TestDirs.create("many-partitions");
        final BrokerProcess broker = brokers.start("many", dir.resolve("logs"), dir, Map.of());
        final List<TopicPartition> all = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(TOPIC, p))
                .toList();
        final Map<TopicPartition, Long> ends = new HashMap<>();
        try (Admin admin = slowAdmin(broker)) {
            // Each new partition's directory and partition.metadata are fsynced: on a busy disk this takes a while.
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                    .all()
                    .get(150, TimeUnit.SECONDS);
            // Partition p holds p % 3 + 1 records, so that a partition served from another's log shows.
            produce(broker, all, p -> p % 3 + 1, "first");
            all.forEach(tp -> ends.put(tp, (long) (tp.partition() % 3 + 1)));
            admin.alterConsumerGroupOffsets(GROUP, committed(all)).all().get(30, TimeUnit.SECONDS);
        }

        broker.stop();
        broker.restart();
        checkAfterRestart(broker, all, ends, "clean stop");

        broker.kill9();
        broker.restart();
        checkAfterRestart(broker, all, ends, "kill -9");
    }

    /**
     * Touches the even partitions first (a record appended to each), checks them, then lists, reads and checks the
     * odd ones, which nothing opened since the restart.
     */
    private void checkAfterRestart(
            final BrokerProcess broker,
            final List<TopicPartition> all,
            final Map<TopicPartition, Long> ends,
            final String after)
            throws Exception {
        final List<TopicPartition> touched =
                all.stream().filter(tp -> tp.partition() % 2 == 0).toList();
        final List<TopicPartition> untouched =
                all.stream().filter(tp -> tp.partition() % 2 == 1).toList();
        produce(broker, touched, p -> 1, after);
        touched.forEach(tp -> ends.merge(tp, 1L, Long::sum));
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers());
                Admin admin = Clients.admin(broker.bootstrapServers())) {
            assertThat(consumer.endOffsets(touched, Duration.ofSeconds(30)))
                    .as("end offsets of the partitions appended to after the restart after a " + after)
                    .isEqualTo(subMap(ends, touched));
            assertThat(admin.listConsumerGroupOffsets(GROUP)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS))
                    .as("committed offsets after a " + after)
                    .isEqualTo(committed(all));

            assertThat(consumer.endOffsets(untouched, Duration.ofSeconds(30)))
                    .as("end offsets of the partitions nothing touched since the restart after a " + after)
                    .isEqualTo(subMap(ends, untouched));
            assertThat(consumer.beginningOffsets(untouched, Duration.ofSeconds(30)))
                    .as("start offsets after a " + after)
                    .allSatisfy((tp, offset) -> assertThat(offset).isZero());
            assertThat(readAll(consumer, untouched, subMap(ends, untouched)))
                    .as("records of the untouched partitions after a " + after)
                    .allSatisfy((tp, values) -> assertThat(values)
                            .hasSize((int) (long) ends.get(tp))
                            .allMatch(v -> v.startsWith(tp.partition() + "-")));
        }
    }

    private static Admin slowAdmin(final BrokerProcess broker) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                120_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                150_000));
    }

    /** Sends {@code count(p)} records to each partition p, acks=all, and waits for every ack. */
    private static void produce(
            final BrokerProcess broker,
            final List<TopicPartition> partitions,
            final IntUnaryOperator count,
            final String tag)
            throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(
                broker.bootstrapServers(),
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5))) {
            final List<Future<?>> acks = new ArrayList<>();
            for (final TopicPartition tp : partitions) {
                for (int i = 0; i < count.applyAsInt(tp.partition()); i++) {
                    acks.add(producer.send(
                            new ProducerRecord<>(TOPIC, tp.partition(), null, tp.partition() + "-" + tag + "-" + i)));
                }
            }
            for (final Future<?> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Every record of {@code partitions} up to {@code ends}, by partition, within 60 s. */
    private static Map<TopicPartition, List<String>> readAll(
            final KafkaConsumer<String, String> consumer,
            final List<TopicPartition> partitions,
            final Map<TopicPartition, Long> ends) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        final Map<TopicPartition, List<String>> values = new HashMap<>();
        final long total = ends.values().stream().mapToLong(Long::longValue).sum();
        long read = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (read < total && System.nanoTime() < deadline) {
            for (final ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                values.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>())
                        .add(r.value());
                read++;
            }
        }
        assertThat(read).as("records read").isEqualTo(total);
        assertThat(values.keySet()).containsExactlyInAnyOrderElementsOf(partitions);
        return values;
    }

    /** Offset 1 committed on every third partition. */
    private static Map<TopicPartition, OffsetAndMetadata> committed(final List<TopicPartition> all) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (final TopicPartition tp : all) {
            if (tp.partition() % 3 == 0) {
                offsets.put(tp, new OffsetAndMetadata(1));
            }
        }
        return offsets;
    }

    private static Map<TopicPartition, Long> subMap(
            final Map<TopicPartition, Long> ends, final List<TopicPartition> partitions) {
        final Map<TopicPartition, Long> sub = new HashMap<>();
        partitions.forEach(tp -> sub.put(tp, ends.get(tp)));
        return sub;
    }
}
