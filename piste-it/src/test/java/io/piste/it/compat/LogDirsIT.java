package io.piste.it.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.Broker;
import io.piste.broker.config.BrokerConfig;
import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.KafkaTool;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import io.piste.storage.log.FaultyFiles;
import io.piste.storage.log.FileChannelFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DescribeLogDirs through the Java Admin and Kafka's {@code kafka-log-dirs} ({@code LogDirsCommand} of kafka-tools
 * 4.4, in a child JVM), on a broker with two log dirs: each partition in the dir holding it, its size that of its
 * {@code .log} files on disk (before and after a restart, when no log is opened by the request), offset lag 0, no
 * future log, the file system's total and usable bytes; a log dir whose syncfs failed answers KAFKA_STORAGE_ERROR.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LogDirsIT {
    private static final String TOPIC = "log-dirs";
    private static final int PARTITIONS = 4;
    private static final int NODE_ID = 1;

    @Test
    void shouldReportEachPartitionWithTheSizeOfItsFilesWithAdminAndKafkaLogDirs() throws Exception {
        Path root = TestDirs.create("LogDirsIT-sizes");
        List<Path> dirs = List.of(root.resolve("logs-a"), root.resolve("logs-b"));
        try (Broker broker = start(dirs, "auto", FileChannelFactory.DEFAULT)) {
            String bootstrap = "127.0.0.1:" + broker.port();
            Clients.createTopic(bootstrap, TOPIC, PARTITIONS);
            try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
                for (int i = 0; i < 200; i++) {
                    // Partition p gets (p + 1) times as much: each size differs from the others.
                    int partition = i % 10 < 1 ? 0 : i % 10 < 3 ? 1 : i % 10 < 6 ? 2 : 3;
                    producer.send(new ProducerRecord<>(TOPIC, partition, "k" + i, "v".repeat(100 + i)))
                            .get(30, TimeUnit.SECONDS);
                }
            }
            assertSizesAsOnDisk(bootstrap, dirs);
            assertKafkaLogDirsSizesAsOnDisk(bootstrap, dirs);
        }
        try (Broker broker = start(dirs, "auto", FileChannelFactory.DEFAULT)) {
            // After the restart no log of the topic is open: the sizes come from the listing of its directory.
            String bootstrap = "127.0.0.1:" + broker.port();
            assertSizesAsOnDisk(bootstrap, dirs);
            assertKafkaLogDirsSizesAsOnDisk(bootstrap, dirs);
        }
    }

    @Test
    void shouldAnswerKafkaStorageErrorForTheLogDirWhoseSyncfsFailed() throws Exception {
        Path root = TestDirs.create("LogDirsIT-offline");
        Path failing = root.resolve("logs-failing");
        Path healthy = root.resolve("logs-healthy");
        FaultyFiles files = FaultyFiles.pathContaining(failing.toString());
        try (Broker broker = start(List.of(failing, healthy), "syncfs", files)) {
            String bootstrap = "127.0.0.1:" + broker.port();
            Clients.createTopic(bootstrap, TOPIC, 2);
            int inFailing = Files.isDirectory(failing.resolve(TOPIC + "-0")) ? 0 : 1;
            // No retries: the failed ack is the producer's answer, not a retry until the delivery timeout.
            Map<String, Object> noRetries = Map.of(
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.RETRIES_CONFIG,
                    0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                    false);
            try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, noRetries)) {
                producer.send(new ProducerRecord<>(TOPIC, 1 - inFailing, "k", "kept"))
                        .get(30, TimeUnit.SECONDS);
                files.failFileSystemSync(true);
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, inFailing, "k", "refused"))
                                .get(30, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(KafkaStorageException.class);
            }

            Map<String, LogDirDescription> described = describe(bootstrap);

            LogDirDescription offline = described.get(failing.toAbsolutePath().toString());
            assertThat(offline.error()).isInstanceOf(KafkaStorageException.class);
            assertThat(offline.replicaInfos()).isEmpty();
            LogDirDescription online = described.get(healthy.toAbsolutePath().toString());
            assertThat(online.error()).isNull();
            assertThat(online.replicaInfos()).containsKey(new TopicPartition(TOPIC, 1 - inFailing));
            assertThat(online.replicaInfos()
                            .get(new TopicPartition(TOPIC, 1 - inFailing))
                            .size())
                    .isEqualTo(logBytesOnDisk(healthy.resolve(TOPIC + "-" + (1 - inFailing))));
        }
    }

    private static void assertSizesAsOnDisk(String bootstrap, List<Path> dirs) throws Exception {
        Map<String, LogDirDescription> described = describe(bootstrap);
        assertThat(described).containsOnlyKeys(absolute(dirs));
        int found = 0;
        for (Path dir : dirs) {
            LogDirDescription d = described.get(dir.toAbsolutePath().toString());
            assertThat(d.error()).isNull();
            assertThat(d.totalBytes()).isPresent();
            assertThat(d.totalBytes().getAsLong()).isPositive();
            assertThat(d.usableBytes().getAsLong()).isBetween(0L, d.totalBytes().getAsLong());
            for (int p = 0; p < PARTITIONS; p++) {
                Path partitionDir = dir.resolve(TOPIC + "-" + p);
                ReplicaInfo info = d.replicaInfos().get(new TopicPartition(TOPIC, p));
                if (!Files.isDirectory(partitionDir)) {
                    assertThat(info).as("%s is not in %s", p, dir).isNull();
                    continue;
                }
                found++;
                assertThat(info.size())
                        .as("partition %d", p)
                        .isEqualTo(logBytesOnDisk(partitionDir))
                        .isPositive();
                assertThat(info.offsetLag()).isZero();
                assertThat(info.isFuture()).isFalse();
            }
        }
        assertThat(found).isEqualTo(PARTITIONS);
    }

    private static Map<String, LogDirDescription> describe(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            return admin.describeLogDirs(List.of(NODE_ID))
                    .allDescriptions()
                    .get(Clients.API_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(NODE_ID);
        }
    }

    /** kafka-log-dirs prints one JSON line; each partition's size there must be that of its files. */
    private static void assertKafkaLogDirsSizesAsOnDisk(String bootstrap, List<Path> dirs) throws IOException {
        KafkaTool tool = KafkaTool.logDirsCommand(() -> bootstrap);
        String out =
                tool.run("--describe", "--topic-list", TOPIC).assertSuccess().stdout();
        Matcher m = Pattern.compile("\\{\"partition\":\"" + TOPIC + "-(\\d+)\",\"size\":(\\d+),\"offsetLag\":(\\d+),"
                        + "\"isFuture\":(true|false)")
                .matcher(out);
        Map<Integer, Long> sizes = new HashMap<>();
        while (m.find()) {
            assertThat(m.group(3)).isEqualTo("0");
            assertThat(m.group(4)).isEqualTo("false");
            sizes.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
        }
        Map<Integer, Long> onDisk = new HashMap<>();
        for (Path dir : dirs) {
            for (int p = 0; p < PARTITIONS; p++) {
                if (Files.isDirectory(dir.resolve(TOPIC + "-" + p))) {
                    onDisk.put(p, logBytesOnDisk(dir.resolve(TOPIC + "-" + p)));
                }
            }
            assertThat(out).contains("\"logDir\":\"" + dir.toAbsolutePath() + "\"");
        }
        assertThat(sizes).as(out).isEqualTo(onDisk).hasSize(PARTITIONS);
    }

    private static long logBytesOnDisk(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            long total = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".log")) {
                    total += Files.size(f);
                }
            }
            return total;
        }
    }

    private static String[] absolute(List<Path> dirs) {
        return dirs.stream().map(d -> d.toAbsolutePath().toString()).toArray(String[]::new);
    }

    private static Broker start(List<Path> dirs, String flushMethod, FileChannelFactory files) throws Exception {
        BrokerConfig config = new BrokerConfig(Map.of(
                "listeners",
                "PLAINTEXT://127.0.0.1:0",
                "log.dirs",
                dirs.get(0) + "," + dirs.get(1),
                "log.flush.method",
                flushMethod));
        return Bounded.call("start broker in " + dirs, TestBroker.START_TIMEOUT, () -> Broker.start(config, files));
    }
}
