package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.PartitionImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.junit.jupiter.api.Test;

/** A partition's states through a reassignment: started, completed once the targets are in sync, cancelled. */
class ReassignmentStatesTest {

    /** Brokers 1 to 4 serve; broker 5 is registered but fenced. */
    private static final MetadataImage BROKERS = brokers();

    @Test
    void shouldAddTheNewReplicasAndKeepLeaderAndIsrUntilTheyCatchUp() {
        PartitionImage current = PartitionImage.initial(List.of(1, 2));
        PartitionImage started = ReassignmentStates.start(current, List.of(2, 3), BROKERS);

        assertThat(started.replicas()).containsExactly(2, 3, 1); // the target first, then the ones leaving
        assertThat(started.addingReplicas()).containsExactly(3);
        assertThat(started.removingReplicas()).containsExactly(1);
        assertThat(started.leader()).isEqualTo(1);
        assertThat(started.leaderEpoch()).isEqualTo(0);
        assertThat(started.partitionEpoch()).isEqualTo(1);
        assertThat(started.isr()).containsExactly(1, 2);

        // Not complete while 3 is out of the ISR.
        assertThat(ReassignmentStates.completeIfInSync(started, BROKERS)).isNull();

        // The leader's ISR change that brings 3 in completes it: 1 leaves, and since 1 led, 2 (first target) leads.
        PartitionImage caughtUp = started.withLeaderAndIsr(1, List.of(1, 2, 3), List.of());
        PartitionImage completed = ReassignmentStates.withCompletion(caughtUp, BROKERS);
        assertThat(completed.replicas()).containsExactly(2, 3);
        assertThat(completed.isr()).containsExactly(2, 3);
        assertThat(completed.leader()).isEqualTo(2);
        assertThat(completed.leaderEpoch()).isEqualTo(1);
        assertThat(completed.partitionEpoch()).isEqualTo(2); // the ISR change's own epoch: one change
        assertThat(completed.isReassigning()).isFalse();
    }

    @Test
    void shouldKeepTheLeaderAtCompletionWhenItStays() {
        PartitionImage current = PartitionImage.initial(List.of(1, 2));
        PartitionImage started = ReassignmentStates.start(current, List.of(1, 3), BROKERS);
        PartitionImage completed =
                ReassignmentStates.withCompletion(started.withLeaderAndIsr(1, List.of(1, 2, 3), List.of()), BROKERS);
        assertThat(completed.replicas()).containsExactly(1, 3);
        assertThat(completed.leader()).isEqualTo(1);
        assertThat(completed.leaderEpoch()).isEqualTo(0);
    }

    @Test
    void shouldCompleteAtOnceWhatNeedsNoNewReplica() {
        PartitionImage current = PartitionImage.initial(List.of(1, 2, 3));
        PartitionImage shrunk = ReassignmentStates.start(current, List.of(2, 3), BROKERS);
        assertThat(shrunk.replicas()).containsExactly(2, 3);
        assertThat(shrunk.isr()).containsExactly(2, 3);
        assertThat(shrunk.leader()).isEqualTo(2);
        assertThat(shrunk.isReassigning()).isFalse();
        assertThat(shrunk.partitionEpoch()).isEqualTo(1);

        // The same replicas in another order: reordered only; the very same: no change at all.
        PartitionImage reordered = ReassignmentStates.start(current, List.of(3, 1, 2), BROKERS);
        assertThat(reordered.replicas()).containsExactly(3, 1, 2);
        assertThat(reordered.leader()).isEqualTo(1);
        assertThat(ReassignmentStates.start(current, List.of(1, 2, 3), BROKERS)).isNull();
    }

    @Test
    void shouldNotCompleteWhileNoTargetReplicaCouldLead() {
        // 1 leads and leaves; 3 joins the ISR but is fenced by then: 1 keeps leading until a target can.
        PartitionImage started = ReassignmentStates.start(PartitionImage.initial(List.of(1)), List.of(5), BROKERS);
        PartitionImage caughtUp = started.withLeaderAndIsr(1, List.of(1, 5), List.of());
        assertThat(ReassignmentStates.completeIfInSync(caughtUp, BROKERS)).isNull();
        assertThat(ReassignmentStates.completion(caughtUp, BROKERS)).isNull();

        // 5 serves again: no ISR change comes, the controller's round completes it on its own.
        MetadataImage fiveBack = BROKERS.applyAll(List.of(new MetadataRecord.BrokerFencing(5, 1, false)));
        PartitionImage completed = ReassignmentStates.completion(caughtUp, fiveBack);
        assertThat(completed.replicas()).containsExactly(5);
        assertThat(completed.leader()).isEqualTo(5);
        assertThat(completed.isr()).containsExactly(5);
        assertThat(completed.leaderEpoch()).isEqualTo(caughtUp.leaderEpoch() + 1);
        assertThat(completed.partitionEpoch()).isEqualTo(caughtUp.partitionEpoch() + 1);
        assertThat(completed.isReassigning()).isFalse();
        assertThat(ReassignmentStates.completion(completed, fiveBack)).isNull();
    }

    @Test
    void shouldReplaceAReassignmentUnderWayCountingFromTheReplicasItHasNow() {
        PartitionImage started =
                ReassignmentStates.start(PartitionImage.initial(List.of(1, 2)), List.of(2, 3), BROKERS);
        PartitionImage replaced = ReassignmentStates.start(started, List.of(2, 4), BROKERS);
        assertThat(replaced.replicas()).containsExactly(2, 4, 3, 1);
        assertThat(replaced.addingReplicas()).containsExactly(4);
        assertThat(replaced.removingReplicas()).containsExactly(3, 1);
        assertThat(replaced.partitionEpoch()).isEqualTo(2);
    }

    @Test
    void shouldCancelBackToTheReplicasBeforeIt() {
        PartitionImage started =
                ReassignmentStates.start(PartitionImage.initial(List.of(1, 2)), List.of(2, 3), BROKERS);
        PartitionImage withThreeInSync = started.withLeaderAndIsr(1, List.of(1, 2, 3), List.of());
        PartitionImage cancelled = ReassignmentStates.cancel(withThreeInSync, BROKERS);
        assertThat(cancelled.replicas()).containsExactly(2, 1);
        assertThat(cancelled.isr()).containsExactly(1, 2);
        assertThat(cancelled.leader()).isEqualTo(1);
        assertThat(cancelled.isReassigning()).isFalse();
        assertThat(cancelled.partitionEpoch()).isEqualTo(withThreeInSync.partitionEpoch() + 1);

        assertThatThrownBy(() -> ReassignmentStates.cancel(cancelled, BROKERS))
                .isInstanceOf(NoReassignmentInProgressException.class);
    }

    @Test
    void shouldCancelAReassignmentThatOnlyRemovesAndRevertToItsReplicas() {
        // 2 fell out of sync: removing 3 waits until 2 is back in the ISR.
        PartitionImage current = PartitionImage.initial(List.of(1, 2, 3)).withLeaderAndIsr(1, List.of(1, 3), List.of());
        PartitionImage started = ReassignmentStates.start(current, List.of(1, 2), BROKERS);
        assertThat(started.removingReplicas()).containsExactly(3);
        assertThat(started.addingReplicas()).isEmpty();

        PartitionImage cancelled = ReassignmentStates.cancel(started, BROKERS);
        assertThat(cancelled.replicas()).containsExactly(1, 2, 3);
        assertThat(cancelled.isReassigning()).isFalse();
        PartitionImage reverted = ReassignmentStates.start(started, List.of(1, 2, 3), BROKERS);
        assertThat(reverted.isReassigning())
                .as("asking for the replicas it had reverts it, rather than leaving 3 to be removed")
                .isFalse();
        assertThat(reverted.replicas()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldRefuseACancellationThatWouldTakeAnUncleanElection() {
        // Only the added replica is in sync (the others fell out): going back would elect an out-of-sync replica.
        PartitionImage started = ReassignmentStates.start(PartitionImage.initial(List.of(1)), List.of(3), BROKERS);
        PartitionImage onlyNewInSync = new PartitionImage(
                started.replicas(),
                3,
                1,
                5,
                List.of(3),
                List.of(),
                started.addingReplicas(),
                started.removingReplicas());
        assertThatThrownBy(() -> ReassignmentStates.cancel(onlyNewInSync, BROKERS))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
    }

    private static MetadataImage brokers() {
        List<MetadataRecord> records = new ArrayList<>();
        for (int id = 1; id <= 5; id++) {
            records.add(new MetadataRecord.BrokerRegistration(
                    id, 1, Uuid.randomUuid(), "", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "h", 9092))));
            if (id != 5) {
                records.add(new MetadataRecord.BrokerFencing(id, 1, false));
            }
        }
        return MetadataImage.EMPTY.applyAll(records);
    }
}
