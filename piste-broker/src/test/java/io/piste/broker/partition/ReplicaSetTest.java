package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.PartitionImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaSetTest {

    private static final PartitionImage LED_BY_1 =
            new PartitionImage(List.of(1, 2, 3), 1, 4, 7, List.of(1, 2, 3), List.of());

    @Test
    void highWatermarkWaitsForEveryInSyncFollowerToReport() {
        ReplicaSet replicas = new ReplicaSet();
        replicas.lead(LED_BY_1, 100, 0);

        assertThat(replicas.highWatermarkBound(100))
                .as("no follower reported yet")
                .isEqualTo(-1);
        replicas.onFetch(2, 80, 0, 100, 10);
        assertThat(replicas.highWatermarkBound(100))
                .as("follower 3 not reported")
                .isEqualTo(-1);
        replicas.onFetch(3, 90, 0, 100, 10);
        assertThat(replicas.highWatermarkBound(100)).isEqualTo(80);
        assertThat(replicas.highWatermarkBound(70))
                .as("the leader's own durable end bounds it too")
                .isEqualTo(70);
    }

    @Test
    void aFollowerOutOfTheIsrDoesNotHoldTheHighWatermark() {
        ReplicaSet replicas = new ReplicaSet();
        replicas.lead(LED_BY_1, 100, 0);
        replicas.onFetch(2, 100, 0, 100, 10);
        replicas.update(new PartitionImage(List.of(1, 2, 3), 1, 4, 8, List.of(1, 2), List.of()));

        assertThat(replicas.highWatermarkBound(100)).isEqualTo(100);
        assertThat(replicas.isFollower(3))
                .as("still a replica: it fetches to catch up")
                .isTrue();
    }

    @Test
    void aFollowerProposedIntoTheIsrHoldsTheHighWatermarkBeforeTheImageSaysSo() {
        ReplicaSet replicas = new ReplicaSet();
        replicas.lead(new PartitionImage(List.of(1, 2, 3), 1, 4, 7, List.of(1, 2), List.of()), 100, 0);
        replicas.onFetch(2, 100, 0, 100, 10);
        replicas.onFetch(3, 100, 0, 100, 10);
        assertThat(replicas.isrWith(3, 100, true)).containsExactly(1, 2, 3);

        // The leader appends 100..120 and follower 2 fetches it; 3 has not yet. The controller may already count 3 in
        // sync (and elect it): nothing past its log end is committed.
        replicas.onFetch(2, 120, 0, 120, 20);
        assertThat(replicas.highWatermarkBound(120)).isEqualTo(100);

        replicas.abandonPendingIsr(3);
        assertThat(replicas.highWatermarkBound(120))
                .as("the proposal refused: 3 is out of the ISR again")
                .isEqualTo(120);
    }

    @Test
    void highWatermarkStaysWhileTheIsrIsSmallerThanMinInsyncReplicas() {
        ReplicaSet replicas = new ReplicaSet();
        replicas.setMinIsr(2);
        replicas.lead(LED_BY_1, 100, 0);
        replicas.onFetch(2, 100, 0, 100, 10);
        replicas.update(new PartitionImage(List.of(1, 2, 3), 1, 4, 8, List.of(1, 2), List.of(3)));
        assertThat(replicas.highWatermarkBound(100)).isEqualTo(100);

        replicas.update(new PartitionImage(List.of(1, 2, 3), 1, 4, 9, List.of(1), List.of(2, 3)));
        assertThat(replicas.highWatermarkBound(150))
                .as("the leader alone, below min.insync.replicas: its eligible replicas must hold all committed")
                .isEqualTo(-1);
    }

    @Test
    void aFollowerThatStopsCatchingUpLeavesTheIsrAfterTheLagTime() {
        ReplicaSet replicas = new ReplicaSet();
        replicas.lead(LED_BY_1, 100, 0);
        replicas.onFetch(2, 100, 0, 100, 1_000);
        replicas.onFetch(3, 50, 0, 100, 1_000);

        assertThat(replicas.isrWithoutLagging(5_000, 10_000))
                .as("within the lag time")
                .isNull();
        // Follower 3 reaches what the leader had at its previous fetch: caught up as of that fetch (1,000), not now.
        replicas.onFetch(3, 100, 0, 200, 9_000);
        assertThat(replicas.isrWithoutLagging(10_500, 10_000)).isNull();
        replicas.onFetch(2, 200, 0, 200, 10_800);
        assertThat(replicas.isrWithoutLagging(11_001, 10_000)).containsExactly(1, 2);
    }

    @Test
    void aCaughtUpFollowerComesBackOnlyPastTheHighWatermarkAndTheEpochStart() {
        ReplicaSet replicas = new ReplicaSet();
        replicas.lead(new PartitionImage(List.of(1, 2, 3), 1, 4, 7, List.of(1, 2), List.of()), 100, 0);

        replicas.onFetch(3, 90, 0, 120, 10);
        assertThat(replicas.isrWith(3, 80, false))
                .as("below the start of this leadership")
                .isNull();
        replicas.onFetch(3, 110, 0, 120, 20);
        assertThat(replicas.isrWith(3, 115, false))
                .as("below the high watermark")
                .isNull();
        assertThat(replicas.isrWith(3, 110, false)).containsExactly(1, 2, 3);
        assertThat(replicas.isrWith(2, 0, false)).as("already in sync").isNull();
    }

    @Test
    void minInsyncReplicasCountsTheLeader() {
        ReplicaSet replicas = new ReplicaSet();
        assertThat(replicas.hasMinIsr())
                .as("a single node is its own ISR of one")
                .isTrue();
        replicas.setMinIsr(3);
        assertThat(replicas.hasMinIsr()).as("a single node asked for three").isFalse();
        replicas.lead(LED_BY_1, 0, 0);
        assertThat(replicas.hasMinIsr()).isTrue();
        replicas.update(new PartitionImage(List.of(1, 2, 3), 1, 4, 8, List.of(1, 2), List.of()));
        assertThat(replicas.hasMinIsr()).isFalse();
    }

    @Test
    void readReplicasAreTheInSyncFollowersHoldingTheFetchOffset() {
        ReplicaSet replicas = new ReplicaSet();
        replicas.lead(new PartitionImage(List.of(1, 2, 3, 4), 1, 4, 7, List.of(1, 2, 3), List.of()), 100, 0);
        replicas.onFetch(2, 100, 0, 100, 10); // caught up at 10
        replicas.onFetch(3, 50, 0, 100, 10); // in sync, not there yet
        replicas.onFetch(4, 100, 0, 100, 10); // holds it, out of the ISR

        assertThat(replicas.inSyncHolding(60, 25)).containsExactly(new ReadReplica(2, 100, 15));
        assertThat(replicas.inSyncHolding(50, 25))
                .extracting(ReadReplica::replicaId)
                .containsExactlyInAnyOrder(2, 3);
        replicas.onFetch(3, 100, 40, 100, 20); // retention took its log below 40
        assertThat(replicas.inSyncHolding(30, 25))
                .as("a follower whose log starts above the offset cannot serve it")
                .extracting(ReadReplica::replicaId)
                .containsExactly(2);
        replicas.stopLeading();
        assertThat(replicas.inSyncHolding(0, 25))
                .as("a follower sends no one elsewhere")
                .isEmpty();
    }
}
