package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.PartitionImage;
import io.piste.storage.log.FileChannelFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition led with followers: acks=all waits for every in-sync follower to report the data by fetching (after the
 * leader's own fsync), a follower out of the ISR does not hold it, and a leader that loses its leadership fails the
 * produces still waiting rather than acknowledge data the new leader may not have.
 */
class PartitionReplicationTest {

    private static final PartitionImage LED =
            new PartitionImage(List.of(1, 2, 3), 1, 3, 5, List.of(1, 2, 3), List.of());

    @TempDir
    Path dir;

    private TestPartitions partitions;

    private Partition leader() throws Exception {
        partitions = new TestPartitions(dir);
        Partition partition = partitions.open("t", 0, true, FileChannelFactory.DEFAULT);
        partition.lead(LED, System.currentTimeMillis());
        return partition;
    }

    @AfterEach
    void close() {
        if (partitions != null) {
            partitions.close();
        }
    }

    @Test
    void shouldAcknowledgeOnlyOnceEveryInSyncFollowerHasTheData() throws Exception {
        Partition partition = leader();
        long end = partition
                        .appendRecordsToLeader(TestPartitions.batch("a").buffer())
                        .lastOffset()
                + 1;
        CompletableFuture<Errors> ack = new CompletableFuture<>();
        partition.whenDurable(end, ack::complete);

        partition.onFollowerFetch(2, end, 0, System.currentTimeMillis());
        Thread.sleep(200); // the leader's own flush happens meanwhile
        assertThat(ack).as("follower 3 has not fetched the record").isNotDone();
        assertThat(partition.highWatermark()).isZero();

        partition.onFollowerFetch(3, end, 0, System.currentTimeMillis());
        assertThat(ack.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        assertThat(partition.highWatermark()).isEqualTo(end);
    }

    @Test
    void shouldStartAReplicaAtItsCheckpointedHighWatermarkWithinItsLog() throws Exception {
        partitions = new TestPartitions(dir);
        Partition partition = partitions.open("t", 0, true, FileChannelFactory.DEFAULT);
        for (String value : List.of("a", "b", "c")) {
            partition.appendRecordsToLeader(TestPartitions.batch(value).buffer());
        }
        long end = partition.logEndOffset();
        partition.startHighWatermarkAt(end); // as the opener leaves it: the log end
        assertThat(partition.highWatermark()).isEqualTo(end);

        partition.startHighWatermarkAt(1);
        assertThat(partition.highWatermark())
                .as("a replica of a replicated partition re-opens where its checkpoint says")
                .isEqualTo(1);
        partition.startHighWatermarkAt(end + 100);
        assertThat(partition.highWatermark())
                .as("never above what the log holds")
                .isEqualTo(end);
    }

    @Test
    void shouldNotWaitForAFollowerThatLeftTheIsr() throws Exception {
        Partition partition = leader();
        long end = partition
                        .appendRecordsToLeader(TestPartitions.batch("a").buffer())
                        .lastOffset()
                + 1;
        partition.onFollowerFetch(2, end, 0, System.currentTimeMillis());
        CompletableFuture<Errors> ack = new CompletableFuture<>();
        partition.whenDurable(end, ack::complete);

        partition.updateLeadership(new PartitionImage(List.of(1, 2, 3), 1, 3, 6, List.of(1, 2), List.of()));

        assertThat(ack.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldFailWaitingProducesWhenAnotherNodeLeads() throws Exception {
        Partition partition = leader();
        long end = partition
                        .appendRecordsToLeader(TestPartitions.batch("a").buffer())
                        .lastOffset()
                + 1;
        CompletableFuture<Errors> ack = new CompletableFuture<>();
        partition.whenDurable(end, ack::complete);

        partition.stopLeading();

        assertThat(ack.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(partition.highWatermark()).as("nothing was replicated").isZero();
    }

    @Test
    void shouldCheckMinInsyncReplicasAgainstTheIsr() throws Exception {
        Partition partition = leader();
        partition.setMinInsyncReplicas(3);
        assertThat(partition.hasMinInsyncReplicas()).isTrue();

        partition.updateLeadership(new PartitionImage(List.of(1, 2, 3), 1, 3, 6, List.of(1, 2), List.of()));

        assertThat(partition.hasMinInsyncReplicas()).isFalse();
    }
}
