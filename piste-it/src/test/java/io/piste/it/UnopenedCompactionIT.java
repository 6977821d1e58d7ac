package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A compacted changelog written while the cleaner was off, then a restart with the cleaner on and no client touching
 * the topic: logs open at their first use, yet the cleaner finds this one from its files and compacts it. Checked
 * on disk first (the cleaner's checkpoint names it and its segments shrank, before any client reads), then by a
 * consumer reading from the start: each record at its written offset with its value, and the table of what was
 * written.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UnopenedCompactionIT {
    private static final String TOPIC = "unread-changelog";

    private final Path dir = TestDirs.create("unopened-compaction");
    private TestBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldCompactALogNobodyOpenedSinceTheRestart() throws Exception {
        broker = TestBroker.start(dir, Map.of("log.cleaner.enable", "false"));
        Map<Long, String[]> written = new HashMap<>();
        Map<String, String> table = new HashMap<>();
        writeChangelog(written, table);
        broker.stop();
        Path partitionDir = dir.resolve(TOPIC + "-0");
        long bytesBefore = logBytes(partitionDir);

        broker = TestBroker.start(dir, Map.of("log.cleaner.backoff.ms", "100"));
        Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(60));
        while (!checkpointNamesTopic() && !deadline.passed()) {
            Thread.sleep(100);
        }
        assertThat(checkpointNamesTopic())
                .as("cleaner-offset-checkpoint names the topic")
                .isTrue();
        assertThat(logBytes(partitionDir)).isLessThan(bytesBefore / 2);

        List<ConsumerRecord<String, String>> read =
                Consume.allOf(broker.bootstrapServers(), TOPIC, Duration.ofSeconds(30));
        assertThat(read.size()).isLessThan(written.size() / 4);
        Map<String, String> built = new HashMap<>();
        for (ConsumerRecord<String, String> r : read) {
            assertThat(written.get(r.offset()))
                    .as("offset %d was written", r.offset())
                    .isNotNull();
            assertThat(r.key()).isEqualTo(written.get(r.offset())[0]);
            assertThat(r.value()).isEqualTo(written.get(r.offset())[1]);
            if (r.value() == null) {
                built.remove(r.key());
            } else {
                built.put(r.key(), r.value());
            }
        }
        assertThat(built).isEqualTo(table);
    }

    private void writeChangelog(Map<Long, String[]> written, Map<String, String> table) throws Exception {
        Clients.createCompactedTopic(broker.bootstrapServers(), TOPIC);
        Random random = new Random(5);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            List<String[]> records = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                String key = "key-" + random.nextInt(200);
                String value = random.nextInt(10) == 0 ? null : "value-" + i;
                sends.add(producer.send(new ProducerRecord<>(TOPIC, 0, key, value)));
                records.add(new String[] {key, value});
                if (value == null) {
                    table.remove(key);
                } else {
                    table.put(key, value);
                }
            }
            for (int i = 0; i < sends.size(); i++) {
                written.put(sends.get(i).get(30, TimeUnit.SECONDS).offset(), records.get(i));
            }
        }
    }

    private boolean checkpointNamesTopic() throws Exception {
        Path checkpoint = dir.resolve("cleaner-offset-checkpoint");
        return Files.exists(checkpoint)
                && Files.readAllLines(checkpoint).stream().anyMatch(l -> l.startsWith(TOPIC + " 0 "));
    }

    private static long logBytes(Path partitionDir) throws Exception {
        try (Stream<Path> files = Files.list(partitionDir)) {
            long total = 0;
            for (Path p : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
