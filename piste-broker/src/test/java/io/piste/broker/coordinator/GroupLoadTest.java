package io.piste.broker.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.group.CommittedOffset;
import io.piste.broker.group.GroupConfig;
import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.GroupOffsets;
import io.piste.broker.group.GroupRecord;
import io.piste.broker.group.GroupTimer;
import io.piste.broker.group.OffsetsTopic;
import io.piste.broker.group.consumer.ConsumerGroupConfig;
import io.piste.broker.group.consumer.ConsumerGroupCoordinator;
import io.piste.broker.metadata.LocalController;
import io.piste.broker.partition.CoordinatorPartitions;
import io.piste.broker.partition.LogManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition of {@code __consumer_offsets} loaded when this node comes to lead it, and dropped when it stops: its
 * groups' offsets and memberships come from the log, those of other partitions stay out, and requests for its groups
 * are COORDINATOR_LOAD_IN_PROGRESS until the load is done.
 */
@Timeout(60)
class GroupLoadTest {

    private static final int PARTITIONS = 2;
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path dir;

    private LocalController controller;
    private LogManager replicas;
    private OffsetsTopic topic;
    private final CoordinatorPartitions partitions = CoordinatorPartitions.byLeadership();
    private GroupOffsets offsets;
    private GroupCoordinator groups;
    private ConsumerGroupCoordinator consumerGroups;
    private GroupLoad load;
    private String inZero;
    private String inOne;

    @BeforeEach
    void start() throws Exception {
        controller = LocalController.open(dir.resolve("metadata"));
        replicas = new LogManager(new BrokerConfig(
                Map.of(BrokerConfig.LOG_DIRS_CONFIG, dir.resolve("logs").toString())));
        replicas.startup(controller.image());
        controller.setListener(replicas);
        topic = new OffsetsTopic(controller, replicas, PARTITIONS, () -> 1_000L);
        offsets = new GroupOffsets(topic, topic::partitionOf, partitions);
        groups = new GroupCoordinator(GroupConfig.KAFKA_DEFAULTS, GroupTimer.system(), topic);
        consumerGroups = new ConsumerGroupCoordinator(
                ConsumerGroupConfig.KAFKA_DEFAULTS, GroupTimer.system(), controller::image, id -> true, topic);
        load = new GroupLoad(topic, offsets, groups, consumerGroups);
        for (int i = 0; inZero == null || inOne == null; i++) {
            String id = "group-" + i;
            if (OffsetsTopic.partitionIndex(id, PARTITIONS) == 0) {
                inZero = inZero == null ? id : inZero;
            } else {
                inOne = inOne == null ? id : inOne;
            }
        }
        // what an earlier leader of both partitions wrote
        GroupOffsets writer = new GroupOffsets(topic, topic::partitionOf);
        commit(writer, inZero, 42);
        commit(writer, inOne, 7);
        CompletableFuture<Errors> membership = new CompletableFuture<>();
        topic.writeGroup(
                inZero,
                new GroupRecord(
                        "consumer",
                        3,
                        "range",
                        "m",
                        1,
                        List.of(new GroupRecord.Member(
                                "m", null, "client", "/127.0.0.1", 10_000, 30_000, new byte[0], new byte[0]))),
                membership::complete);
        assertThat(membership.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    private static void commit(GroupOffsets writer, String groupId, long offset) throws Exception {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        writer.commit(groupId, Map.of(TP, new CommittedOffset(offset, 1, "", 1_000L)), done::complete);
        assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    @AfterEach
    void stop() throws Exception {
        groups.close();
        consumerGroups.close();
        replicas.close();
        controller.close();
    }

    @Test
    void shouldServeAPartitionsGroupsOnlyOnceItIsLoadedAtItsLeaderEpoch() throws Exception {
        assertThat(offsets.coordination(inZero)).isEqualTo(Errors.NOT_COORDINATOR);

        partitions.lead(0, 5);
        assertThat(offsets.coordination(inZero)).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);

        load.load(0);
        assertThat(partitions.loaded(0, 5)).isTrue();

        assertThat(offsets.coordination(inZero)).isEqualTo(Errors.NONE);
        assertThat(offsets.fetch(inZero)).containsEntry(TP, new CommittedOffset(42, 1, "", 1_000L));
        assertThat(groups.admin().describeGroup(inZero).groupState()).isEqualTo("Stable");
        assertThat(offsets.coordination(inOne)).as("another partition").isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(offsets.fetch(inOne))
                .as("another partition's offsets are not loaded")
                .isEmpty();
    }

    @Test
    void shouldDropAPartitionsGroupsWhenItStopsLeadingIt() throws Exception {
        partitions.lead(0, 1);
        partitions.lead(1, 1);
        load.load(0);
        load.load(1);
        partitions.loaded(0, 1);
        partitions.loaded(1, 1);

        partitions.resign(0);
        int dropped = load.unload(0);

        assertThat(dropped).isEqualTo(1);
        assertThat(offsets.coordination(inZero)).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(offsets.fetch(inZero)).isEmpty();
        assertThat(groups.admin().describeGroup(inZero).groupState()).isEqualTo("Dead");
        assertThat(offsets.fetch(inOne)).as("the partition still led").containsKey(TP);
    }

    @Test
    void shouldReloadFreshStateFromTheLogOnALaterLeadership() throws Exception {
        partitions.lead(0, 1);
        load.load(0);
        partitions.loaded(0, 1);
        // a commit the log never got (say, made in memory by a request that raced the resignation) must not survive
        offsets.unload(0);
        assertThat(offsets.fetch(inZero)).isEmpty();

        partitions.lead(0, 2);
        load.load(0);
        partitions.loaded(0, 2);

        assertThat(offsets.fetch(inZero)).containsEntry(TP, new CommittedOffset(42, 1, "", 1_000L));
        assertThat(offsets.coordination(inZero)).isEqualTo(Errors.NONE);
    }
}
