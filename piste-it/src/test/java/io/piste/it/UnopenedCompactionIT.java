package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.Changelog;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
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
        Changelog changelog = writeChangelog();
        Map<Long, String[]> written = changelog.written();
        Map<String, String> table = changelog.table();
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

    private Changelog writeChangelog() throws Exception {
        Clients.createCompactedTopic(broker.bootstrapServers(), TOPIC);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            return Changelog.write(producer, TOPIC, 10_000, 200, 5);
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
