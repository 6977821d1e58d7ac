package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node 2's logs as a reassignment moves replicas to and from it: a partition it becomes a replica of gets an empty
 * log, one it no longer holds loses its directory; after a restart, a directory of a replica moved away while the
 * node was down is put aside as stray. Real logs in a temp dir.
 */
class ReplicaLogChangesTest {
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    @Test
    void shouldCreateTheLogOfANewReplicaAndDeleteThatOfARemovedOne() throws Exception {
        MetadataImage created = cluster()
                .applyAll(List.of(
                        new MetadataRecord.Topic("t", TOPIC_ID, 2),
                        new MetadataRecord.Assignment(TOPIC_ID, 0, List.of(List.of(1, 2), List.of(1, 3)))));
        try (LogManager logs = newLogManager()) {
            logs.startup(cluster());
            logs.onTopicCreated(created.topic("t"), created);
            assertThat(logs.partition("t", 0)).isNotNull();
            assertThat(logs.partition("t", 1)).isNull();
            assertThat(logDir().resolve("t-1")).doesNotExist();

            // Partition 1 moves to [3, 2]: node 2 is added and gets an empty log to fetch into.
            MetadataImage adding = created.apply(new MetadataRecord.PartitionState(
                    TOPIC_ID,
                    1,
                    new PartitionImage(List.of(3, 2, 1), 1, 0, 1, List.of(1, 3), List.of(), List.of(2), List.of(1))));
            TopicImage topic = adding.topic("t");
            logs.onPartitionStatesChanged(topic, adding);
            Partition added = logs.partition("t", 1);
            assertThat(added).isNotNull();
            assertThat(added.logEndOffset()).isZero();
            assertThat(logDir().resolve("t-1")).isDirectory();

            // Partition 0 moves to [1]: node 2 stops holding it and its directory goes.
            Partition leaving = logs.partition("t", 0);
            MetadataImage removed = adding.apply(new MetadataRecord.PartitionState(
                    TOPIC_ID, 0, new PartitionImage(List.of(1), 1, 0, 1, List.of(1), List.of())));
            logs.onPartitionStatesChanged(topic, removed);
            assertThat(logs.partition("t", 0)).isNull();
            assertThat(leaving.isDeleted()).isTrue();
            assertThat(logDir().resolve("t-0")).doesNotExist();
            assertThat(logs.partition("t", 1))
                    .as("the other partition untouched")
                    .isSameAs(added);
        }
    }

    @Test
    void shouldPutAsideAtStartUpTheDirectoryOfAReplicaMovedAwayMeanwhile() throws Exception {
        MetadataImage created = cluster()
                .applyAll(List.of(
                        new MetadataRecord.Topic("t", TOPIC_ID, 1),
                        new MetadataRecord.Assignment(TOPIC_ID, 0, List.of(List.of(1, 2)))));
        try (LogManager logs = newLogManager()) {
            logs.startup(created);
            assertThat(logs.partition("t", 0)).isNotNull();
        }
        assertThat(logDir().resolve("t-0")).isDirectory();
        MetadataImage moved = created.apply(new MetadataRecord.PartitionState(
                TOPIC_ID, 0, new PartitionImage(List.of(1, 3), 1, 0, 1, List.of(1, 3), List.of())));
        try (LogManager logs = newLogManager()) {
            logs.startup(moved);
            assertThat(logs.partition("t", 0)).isNull();
        }
        assertThat(logDir().resolve("t-0")).doesNotExist();
        try (var names = Files.list(logDir())) {
            assertThat(names.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("t-0.") && name.endsWith("-stray"));
        }
    }

    private Path logDir() {
        return dir.resolve("logs");
    }

    private LogManager newLogManager() throws Exception {
        return new LogManager(new BrokerConfig(Map.of(
                BrokerConfig.LOG_DIRS_CONFIG,
                logDir().toString(),
                "node.id",
                "2",
                BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG,
                "true")));
    }

    /** Brokers 1, 2 and 3 registered and serving: a cluster's image, with partition states. */
    private static MetadataImage cluster() {
        List<MetadataRecord> records = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            records.add(new MetadataRecord.BrokerRegistration(
                    id, 1, Uuid.randomUuid(), "", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "h", 9092))));
            records.add(new MetadataRecord.BrokerFencing(id, 1, false));
        }
        return MetadataImage.EMPTY.applyAll(records);
    }
}
