package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A metadata log that does not read back never costs partition data: on a bit flipped mid-file, or a record of a
 * type this version does not know (as after a downgrade), the broker refuses to start with the file and the byte
 * position in its output, and every partition directory keeps its segments; with the file repaired it starts and
 * serves every record. A partition directory whose topic the metadata lost is renamed aside as a Kafka stray log,
 * logged, and left alone at the next start.
 *
 * <p>Relies on the layout of ARCHITECTURE.md: {@code <log.dirs>/__cluster_metadata-0/metadata.log}, one
 * {@code <crc32c hex> <record>} line per record, and {@code <log.dirs>/<topic>-<partition>/<baseOffset>.log}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MetadataCorruptionIT {
    private static final int RECORDS = 50;
    private static final String STRAY = "\\.[0-9a-f]{32}-stray";

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private BrokerProcess broker;
    private Path dir;

    @Test
    void shouldRefuseToStartOnABitFlipMidFileAndKeepEveryPartition() throws Exception {
        startWithTopics("flip", "alpha", "beta");
        broker.stop();
        final Map<String, String> segments = segments();
        final byte[] original = Files.readAllBytes(metadataLog());
        final int position = lineStart(original, 1) + 12;
        final byte[] flipped = original.clone();
        flipped[position] ^= 0x02;
        Files.write(metadataLog(), flipped);

        assertThat(broker.restartExpectingRefusal()).as("exit code").isNotZero();

        assertThat(broker.output())
                .contains("Piste broker cannot start: Cannot load metadata log " + metadataLog() + " at byte "
                        + lineStart(original, 1))
                .doesNotContain("\tat io.piste");
        assertThat(segments()).as("segments after the refusal").isEqualTo(segments);
        assertThat(Files.readAllBytes(metadataLog()))
                .as("metadata log left as it was")
                .isEqualTo(flipped);
        Files.write(metadataLog(), original);
        broker.restart();
        assertThat(values("alpha")).containsExactlyInAnyOrderElementsOf(expected("alpha"));
        assertThat(values("beta")).containsExactlyInAnyOrderElementsOf(expected("beta"));
        broker.stop();
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldRefuseToStartOnAnUnknownRecordTypeAndKeepEveryPartition() throws Exception {
        startWithTopics("unknown", "alpha", "beta");
        broker.stop();
        final Map<String, String> segments = segments();
        final byte[] original = Files.readAllBytes(metadataLog());
        Files.writeString(metadataLog(), framed("TOPIC_PLACEMENT alpha 0:rack-a,1:rack-b"), StandardOpenOption.APPEND);

        assertThat(broker.restartExpectingRefusal()).as("exit code").isNotZero();

        assertThat(broker.output())
                .contains(metadataLog() + " at byte " + original.length)
                .contains("unknown record type TOPIC_PLACEMENT");
        assertThat(segments()).as("segments after the refusal").isEqualTo(segments);
        Files.write(metadataLog(), original);
        broker.restart();
        assertThat(values("alpha")).containsExactlyInAnyOrderElementsOf(expected("alpha"));
        assertThat(values("beta")).containsExactlyInAnyOrderElementsOf(expected("beta"));
        broker.stop();
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldRenameAPartitionDirectoryWhoseTopicTheMetadataLostAsideAsStray() throws Exception {
        startWithTopics("stray", "kept", "ghost");
        broker.stop();
        final byte[] ghostSegment = Files.readAllBytes(segmentOf("ghost-0"));
        removeTopicRecordOf("ghost");

        broker.restart();

        final List<String> strays = children().stream()
                .filter(name -> name.matches("ghost-0" + STRAY))
                .toList();
        assertThat(strays).as("stray directories in " + logs()).hasSize(1);
        assertThat(logs().resolve("ghost-0")).doesNotExist();
        assertThat(Files.readAllBytes(segmentOf(strays.get(0))))
                .as("its segment")
                .isEqualTo(ghostSegment);
        assertThat(broker.output()).contains("Renamed " + logs().resolve("ghost-0") + " to " + strays.get(0));
        assertThat(values("kept")).containsExactlyInAnyOrderElementsOf(expected("kept"));
        broker.stop();

        broker.restart();

        assertThat(children().stream()
                        .filter(name -> name.startsWith("ghost-0"))
                        .toList())
                .as("the stray directory at the next start")
                .containsExactlyElementsOf(strays);
        assertThat(broker.output()).contains("keeps 2 stray partition directories");
        broker.stop();
        TestDirs.deleteQuietly(dir);
    }

    private void startWithTopics(final String name, final String... topics) throws Exception {
        dir = TestDirs.create("metadata-" + name);
        broker = brokers.start("metadata-" + name + "-broker", dir.resolve("logs"), dir, Map.of());
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            for (final String topic : topics) {
                Clients.createTopic(broker.bootstrapServers(), topic, 2);
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 2, "k", topic + " " + i));
                }
            }
            producer.flush();
        }
        for (final String topic : topics) {
            assertThat(values(topic)).as("records of " + topic).hasSize(RECORDS);
        }
    }

    private Path logs() {
        return dir.resolve("logs");
    }

    private Path metadataLog() {
        return logs().resolve("__cluster_metadata-0").resolve("metadata.log");
    }

    private List<String> children() throws IOException {
        try (Stream<Path> children = Files.list(logs())) {
            return children.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private Path segmentOf(final String partitionDir) {
        return logs().resolve(partitionDir).resolve("00000000000000000000.log");
    }

    /** Every partition's first segment (Base64), by directory name. */
    private Map<String, String> segments() throws IOException {
        final Map<String, String> segments = new TreeMap<>();
        for (final String child : children()) {
            if (Files.exists(segmentOf(child)) && !child.startsWith("__")) {
                segments.put(child, Base64.getEncoder().encodeToString(Files.readAllBytes(segmentOf(child))));
            }
        }
        assertThat(segments).as("partition directories").isNotEmpty();
        return segments;
    }

    /** Drops the topic's TOPIC line from the metadata log, as if that record had been lost. */
    private void removeTopicRecordOf(final String topic) throws IOException {
        final List<String> lines = new ArrayList<>(Files.readAllLines(metadataLog(), StandardCharsets.UTF_8));
        assertThat(lines.removeIf(line -> line.matches("[0-9a-f]{8} TOPIC " + topic + " .*")))
                .isTrue();
        Files.writeString(
                metadataLog(),
                lines.stream().map(line -> line + "\n").collect(Collectors.joining()),
                StandardCharsets.UTF_8);
    }

    private static int lineStart(final byte[] bytes, final int line) {
        int seen = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' && ++seen == line) {
                return i + 1;
            }
        }
        throw new AssertionError("the metadata log has fewer than " + (line + 1) + " lines");
    }

    /** A metadata log line with a valid CRC, as a newer version would write it. */
    private static String framed(final String record) {
        final CRC32C crc = new CRC32C();
        crc.update(record.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x %s%n", crc.getValue(), record);
    }

    private List<String> values(final String topic) {
        return Consume.allOf(broker.bootstrapServers(), topic, Duration.ofSeconds(30)).stream()
                .map(ConsumerRecord::value)
                .toList();
    }

    private static List<String> expected(final String topic) {
        return IntStream.range(0, RECORDS).mapToObj(i -> topic + " " + i).toList();
    }
}
