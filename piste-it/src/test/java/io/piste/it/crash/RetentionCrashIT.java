package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGKILL while retention deletes segments (a check every 50 ms over 2 KiB segments kept to 16 KiB, removed without
 * delay) and DeleteRecords moves another partition's log start offset, three times on the same log dir. After each
 * restart: the log start offset is within the log, the log reads contiguously from it, every acknowledged record at
 * or above it is there with its value, and no acknowledged DeleteRecords is undone. The kill moments come from a
 * seeded Random; rerun a failure with {@code -Dpiste.crash.seed=<seed printed by the test>}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RetentionCrashIT {
    private static final String TOPIC = "retention-crash";
    private static final TopicPartition RETAINED = new TopicPartition(TOPIC, 0);
    private static final TopicPartition DELETED = new TopicPartition(TOPIC, 1);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private final Map<TopicPartition, ConcurrentSkipListMap<Long, String>> acked = Map.of(
            RETAINED, new ConcurrentSkipListMap<>(),
            DELETED, new ConcurrentSkipListMap<>());
    private final AtomicLong answeredLowWatermark = new AtomicLong();

    @Test
    void shouldRecoverAConsistentLogAfterKill9DuringRetentionAndDeleteRecords() throws Exception {
        long seed = Long.getLong("piste.crash.seed", System.nanoTime());
        System.out.println("RetentionCrashIT seed: " + seed + " (rerun with -Dpiste.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        Path dir = TestDirs.create("retention-crash");
        BrokerProcess broker = brokers.start(
                "retention-crash-broker", dir.resolve("logs"), dir, Map.of("log.retention.check.interval.ms", "50"));
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1)
                            .configs(Map.of(
                                    "internal.segment.bytes", "2048",
                                    "retention.bytes", "16384",
                                    "file.delete.delay.ms", "0"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        for (int round = 0; round < 3; round++) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread producer = new Thread(() -> produce(broker.bootstrapServers(), stop), "retention-crash-producer");
            Thread deleter =
                    new Thread(() -> deleteRecords(broker.bootstrapServers(), stop), "retention-crash-deleter");
            producer.start();
            deleter.start();
            long loadMs = 2_000 + random.nextInt(3_000);
            Bounded.sleep(Duration.ofMillis(loadMs));
            broker.kill9();
            stop.set(true);
            producer.join(60_000);
            deleter.join(60_000);
            broker.restart();
            verify(broker, round);
        }
        assertThat(answeredLowWatermark.get())
                .as("an acknowledged DeleteRecords")
                .isPositive();
        broker.stop();
        TestDirs.deleteQuietly(dir);
    }

    /** Sends to both partitions until stopped, remembering each acknowledged record by offset. */
    private void produce(String bootstrap, AtomicBoolean stop) {
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap,
                Clients.props(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.LINGER_MS_CONFIG, 1,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            long i = 0;
            while (!stop.get()) {
                for (TopicPartition tp : List.of(RETAINED, DELETED)) {
                    String value = "value-" + System.nanoTime() + "-" + i++ + "-padding-padding-padding";
                    producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value), (md, e) -> {
                        if (e == null) {
                            acked.get(tp).put(md.offset(), value);
                        }
                    });
                }
                if (i % 64 == 0) {
                    Bounded.sleep(Duration.ofMillis(5));
                }
            }
            producer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            // the broker was killed under it: what was acknowledged is recorded
        }
    }

    /** DeleteRecords on the second partition up to a little below its end, every 100 ms, until stopped. */
    private void deleteRecords(String bootstrap, AtomicBoolean stop) {
        try (Admin admin = Clients.admin(bootstrap)) {
            while (!stop.get()) {
                Bounded.sleep(Duration.ofMillis(100));
                Long last =
                        acked.get(DELETED).isEmpty() ? null : acked.get(DELETED).lastKey();
                if (last == null || last < 20) {
                    continue;
                }
                try {
                    long low = admin.deleteRecords(Map.of(DELETED, RecordsToDelete.beforeOffset(last - 10)))
                            .lowWatermarks()
                            .get(DELETED)
                            .get(5, TimeUnit.SECONDS)
                            .lowWatermark();
                    answeredLowWatermark.accumulateAndGet(low, Math::max);
                } catch (Exception e) {
                    // killed meanwhile: an unanswered DeleteRecords promises nothing
                }
            }
        } catch (RuntimeException e) {
            // the admin client's close after the kill
        }
    }

    private void verify(BrokerProcess broker, int round) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            for (TopicPartition tp : List.of(RETAINED, DELETED)) {
                long start = admin.listOffsets(Map.of(tp, OffsetSpec.earliest()))
                        .partitionResult(tp)
                        .get(30, TimeUnit.SECONDS)
                        .offset();
                List<ConsumerRecord<String, String>> records;
                try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers())) {
                    records = Consume.toEnd(consumer, List.of(tp), Duration.ofSeconds(60));
                }
                ConcurrentSkipListMap<Long, String> ackedHere = acked.get(tp);
                System.out.println("RetentionCrashIT round " + round + " " + tp + ": logStartOffset=" + start + " read="
                        + records.size() + " acknowledged=" + ackedHere.size() + " lastAcknowledged="
                        + (ackedHere.isEmpty() ? -1 : ackedHere.lastKey()) + " answeredLowWatermark="
                        + answeredLowWatermark.get());
                assertThat(ackedHere).as("acknowledged records of %s", tp).isNotEmpty();
                // Retention may have moved the start past records acknowledged long ago, never past the log end.
                long end = start + records.size();
                assertThat(end).as("log end of %s", tp).isGreaterThan(ackedHere.lastKey());
                for (int i = 0; i < records.size(); i++) {
                    assertThat(records.get(i).offset())
                            .as("offsets of %s read from its start", tp)
                            .isEqualTo(start + i);
                }
                for (Map.Entry<Long, String> e : ackedHere.tailMap(start).entrySet()) {
                    assertThat(records.get((int) (e.getKey() - start)).value())
                            .as("acknowledged record of %s at offset %d", tp, e.getKey())
                            .isEqualTo(e.getValue());
                }
                if (tp.equals(DELETED)) {
                    assertThat(start)
                            .as("log start of %s after an acknowledged DeleteRecords", tp)
                            .isGreaterThanOrEqualTo(answeredLowWatermark.get());
                }
            }
        }
        assertThat(broker.output()).as("broker output").doesNotContain("LEAK:");
    }
}
