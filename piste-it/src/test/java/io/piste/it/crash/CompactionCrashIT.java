package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
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
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
 * The broker is killed with SIGKILL while its cleaner compacts a changelog that a producer keeps writing (small
 * segments, a cleaner that never waits but is throttled so that a pass lasts long enough to be cut, tombstones
 * removed at the next cleaning), five times, and restarted each time; most kills cut a cleaning's rewrite (its
 * .cleaned files are found at the load). Then a consumer reading from the start finds every acknowledged record it
 * finds at the offset it was acknowledged at, offsets increasing, and for every key a record at or after the key's last acknowledged one,
 * unless that one was a tombstone the cleaner removed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CompactionCrashIT {
    private static final String TOPIC = "compaction-crash";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int CYCLES = 5;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    /** offset -> {key, value} of every acknowledged record. */
    private final Map<Long, String[]> acknowledged = new ConcurrentHashMap<>();

    @Test
    void shouldKeepACompactedChangelogWholeThroughKill9DuringCleaning() throws Exception {
        Path dir = TestDirs.create("compaction-crash");
        BrokerProcess broker = brokers.start(
                "compaction-crash-broker",
                dir.resolve("logs"),
                dir,
                Map.of(
                        "log.cleaner.backoff.ms", "20",
                        // slow passes (about a second each), so that most kills land inside one
                        "log.cleaner.io.max.bytes.per.second", "300000"));
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)
                            .configs(Map.of(
                                    "cleanup.policy", "compact",
                                    "internal.segment.bytes", "8192",
                                    "min.cleanable.dirty.ratio", "0.01",
                                    "delete.retention.ms", "0"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        Random random = new Random(5);
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread producer = new Thread(() -> produce(broker.bootstrapServers(), stop), "compaction-crash-producer");
            producer.start();
            int cleanedBefore = count(broker.output(), "Cleaned " + TOPIC + "-0");
            Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
            while (count(broker.output(), "Cleaned " + TOPIC + "-0") < cleanedBefore + 1 && !deadline.passed()) {
                Thread.sleep(20);
            }
            Thread.sleep(random.nextInt(1500));
            broker.kill9();
            stop.set(true);
            producer.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(producer.isAlive()).isFalse();
            broker.restart();
        }
        String output = broker.output();
        System.out.println("Compaction crash: cleanings=" + count(output, "Cleaned " + TOPIC + "-0")
                + " cleaningsCutFoundAtLoad=" + count(output, "interrupted cleaning")
                + " swapsCompletedAtLoad=" + count(output, "Completed an interrupted swap"));
        assertThat(count(output, "Cleaned " + TOPIC + "-0")).as("cleanings").isGreaterThanOrEqualTo(CYCLES);
        assertThat(count(output, "interrupted cleaning") + count(output, "interrupted swap"))
                .as("kills that landed inside a cleaning's rewrite")
                .isPositive();

        List<ConsumerRecord<String, String>> read = readAll(broker.bootstrapServers());
        Map<String, ConsumerRecord<String, String>> latestRead = new HashMap<>();
        long previous = -1;
        for (ConsumerRecord<String, String> r : read) {
            assertThat(r.offset()).isGreaterThan(previous);
            previous = r.offset();
            String[] written = acknowledged.get(r.offset());
            if (written != null) {
                assertThat(new String[] {r.key(), r.value()})
                        .as("offset %d", r.offset())
                        .isEqualTo(written);
            }
            latestRead.put(r.key(), r);
        }
        Map<String, Long> lastAcknowledged = new HashMap<>();
        acknowledged.forEach((offset, kv) -> lastAcknowledged.merge(kv[0], offset, Math::max));
        for (Map.Entry<String, Long> e : lastAcknowledged.entrySet()) {
            ConsumerRecord<String, String> r = latestRead.get(e.getKey());
            if (r == null) {
                assertThat(acknowledged.get(e.getValue())[1])
                        .as("%s: only a removed tombstone may go", e.getKey())
                        .isNull();
            } else {
                assertThat(r.offset()).as(e.getKey()).isGreaterThanOrEqualTo(e.getValue());
            }
        }
        assertThat((long) read.size()).as("compacted").isLessThan(previous / 2);
    }

    private void produce(String bootstrap, AtomicBoolean stop) {
        Random random = new Random();
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap,
                Clients.props(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.LINGER_MS_CONFIG, 2,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000))) {
            for (int i = 0; !stop.get(); i++) {
                String key = "key-" + random.nextInt(200);
                String value = random.nextInt(10) == 0 ? null : "value-" + System.nanoTime();
                producer.send(new ProducerRecord<>(TOPIC, 0, key, value), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.put(metadata.offset(), new String[] {key, value});
                    }
                });
                if (i % 4 == 3) {
                    Thread.sleep(1); // about 2,000 records/s: the throttled cleaner keeps up
                }
            }
            producer.close(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException expectedAtTheKill) {
            // the broker is gone
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }

    private static List<ConsumerRecord<String, String>> readAll(String bootstrap) {
        List<ConsumerRecord<String, String>> result = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(bootstrap, Clients.props(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            long end = consumer.endOffsets(List.of(TP)).get(TP);
            Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(60));
            while (consumer.position(TP) < end && !deadline.passed()) {
                consumer.poll(Duration.ofMillis(200)).forEach(result::add);
            }
            assertThat(consumer.position(TP)).isEqualTo(end);
        }
        return result;
    }
}
