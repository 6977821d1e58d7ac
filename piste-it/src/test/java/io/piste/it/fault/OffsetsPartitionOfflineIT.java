package io.piste.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.Broker;
import io.piste.broker.config.BrokerConfig;
import io.piste.broker.group.OffsetsTopic;
import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import io.piste.storage.checkpoint.CleanShutdownMarker;
import io.piste.storage.log.FileChannelFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A partition of {@code __consumer_offsets} whose log cannot be opened at start-up no longer stops the start: that
 * partition is offline (its groups answer COORDINATOR_NOT_AVAILABLE, never an empty set of offsets that would send
 * consumers back to their reset policy), the groups of the other partitions serve, and once the disk is sound again
 * a restart serves every group's offsets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OffsetsPartitionOfflineIT {

    private static final String TOPIC = "data";
    /** Groups of partition 0 and 1 of a two-partition offsets topic (Kafka's mapping, checked below). */
    private static final String OFFLINE_GROUP = "group-b";

    private static final String ONLINE_GROUP = "group-a";

    @Test
    void shouldStartWithTheGroupsOfAnUnopenableOffsetsPartitionUnavailableAndTheOthersServing() throws Exception {
        assertThat(OffsetsTopic.partitionIndex(OFFLINE_GROUP, 2)).isZero();
        assertThat(OffsetsTopic.partitionIndex(ONLINE_GROUP, 2)).isOne();
        Path logs = TestDirs.create("OffsetsPartitionOfflineIT").resolve("logs");
        Map<TopicPartition, OffsetAndMetadata> committed =
                Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(7));
        try (Broker broker = start(logs, FileChannelFactory.DEFAULT)) {
            String bootstrap = "127.0.0.1:" + broker.port();
            Clients.createTopic(bootstrap, TOPIC, 1);
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.alterConsumerGroupOffsets(OFFLINE_GROUP, committed).all().get(30, TimeUnit.SECONDS);
                admin.alterConsumerGroupOffsets(ONLINE_GROUP, committed).all().get(30, TimeUnit.SECONDS);
            }
        }

        try (Broker broker = start(logs, failingOn(OffsetsTopic.NAME + "-0"))) {
            String bootstrap = "127.0.0.1:" + broker.port();
            try (Admin admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    3_000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    3_000))) {
                assertThat(offsets(admin, ONLINE_GROUP))
                        .as("a group of the partition that opened")
                        .isEqualTo(committed);
                assertThatThrownBy(() -> offsets(admin, OFFLINE_GROUP))
                        .as("a group of the offline partition: retried until the timeout, never answered empty")
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(TimeoutException.class)
                        .hasMessageContaining("FIND_COORDINATOR");
            }
        }
        assertThat(CleanShutdownMarker.exists(logs))
                .as("no clean-shutdown marker for a log dir with a log that failed to open")
                .isFalse();

        try (Broker broker = start(logs, FileChannelFactory.DEFAULT);
                Admin admin = Clients.admin("127.0.0.1:" + broker.port())) {
            assertThat(offsets(admin, OFFLINE_GROUP))
                    .as("after a restart on a sound disk")
                    .isEqualTo(committed);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
    }

    private static Broker start(Path logs, FileChannelFactory files) throws Exception {
        BrokerConfig config = new BrokerConfig(Map.of(
                "listeners",
                "PLAINTEXT://127.0.0.1:0",
                "log.dirs",
                logs.toString(),
                "offsets.topic.num.partitions",
                "2"));
        return Bounded.call("start broker in " + logs, TestBroker.START_TIMEOUT, () -> Broker.start(config, files));
    }

    /** Every file of the partition directory {@code partitionDir} fails to open, as on a damaged disk. */
    private static FileChannelFactory failingOn(String partitionDir) {
        return path -> {
            if (path.getParent().getFileName().toString().equals(partitionDir)) {
                throw new IOException("Input/output error (injected)");
            }
            return FileChannelFactory.DEFAULT.open(path);
        };
    }
}
