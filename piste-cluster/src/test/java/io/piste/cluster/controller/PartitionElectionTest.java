package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.PartitionImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class PartitionElectionTest {

    /** Brokers 1 to 3 registered; those in {@code fenced} fenced, the others serving. */
    private static MetadataImage brokers(Integer... fenced) {
        MetadataImage image = MetadataImage.EMPTY;
        List<Integer> down = List.of(fenced);
        for (int id = 1; id <= 3; id++) {
            image = image.apply(new MetadataRecord.BrokerRegistration(
                    id, 1, Uuid.randomUuid(), "", List.of(new BrokerEndpoint("P", "PLAINTEXT", "h", id))));
            if (!down.contains(id)) {
                image = image.apply(new MetadataRecord.BrokerFencing(id, 1, false));
            }
        }
        return image;
    }

    private static PartitionImage state(int leader, int leaderEpoch, List<Integer> isr, List<Integer> elr) {
        return new PartitionImage(List.of(1, 2, 3), leader, leaderEpoch, 7, isr, elr);
    }

    @Test
    void shouldKeepAPartitionWhoseLeaderAndInSyncReplicasServe() {
        assertThat(PartitionElection.next(state(1, 0, List.of(1, 2, 3), List.of()), brokers()))
                .isNull();
    }

    @Test
    void shouldMoveLeadershipToTheNextInSyncReplicaInPreferenceOrder() {
        PartitionImage next = PartitionElection.next(state(1, 4, List.of(3, 1, 2), List.of()), brokers(1));
        assertThat(next.leader()).isEqualTo(2);
        assertThat(next.isr()).containsExactly(3, 2);
        assertThat(next.leaderEpoch()).isEqualTo(5);
        assertThat(next.partitionEpoch()).isEqualTo(8);
    }

    @Test
    void shouldShrinkTheInSyncReplicasOfAFencedFollowerAndKeepTheLeaderEpoch() {
        PartitionImage next = PartitionElection.next(state(1, 4, List.of(1, 2, 3), List.of()), brokers(3));
        assertThat(next.leader()).isEqualTo(1);
        assertThat(next.isr()).containsExactly(1, 2);
        assertThat(next.leaderEpoch()).isEqualTo(4);
    }

    @Test
    void shouldLeaveNoLeaderRatherThanAnOutOfSyncOneAndKeepTheLastInSyncReplica() {
        // Broker 2 serves but is not in sync: no unclean election.
        PartitionImage next = PartitionElection.next(state(1, 4, List.of(1), List.of()), brokers(1));
        assertThat(next.leader()).isEqualTo(-1);
        assertThat(next.isr()).containsExactly(1);
        assertThat(next.leaderEpoch()).isEqualTo(5);

        // Nothing changes while it stays away; it leads again when it returns.
        assertThat(PartitionElection.next(next, brokers(1))).isNull();
        PartitionImage back = PartitionElection.next(next, brokers());
        assertThat(back.leader()).isEqualTo(1);
        assertThat(back.leaderEpoch()).isEqualTo(6);
    }

    @Test
    void shouldElectAnEligibleLeaderReplicaWhenNoInSyncReplicaServes() {
        PartitionImage next =
                PartitionElection.next(state(1, 4, List.of(1), new ArrayList<>(List.of(3))), brokers(1), false, 2);
        assertThat(next.leader()).isEqualTo(3);
        assertThat(next.isr()).containsExactly(3);
        assertThat(next.elr())
                .as("the fenced last in-sync replica holds all that is committed: eligible in its turn")
                .containsExactly(1);
    }

    @Test
    void shouldMakeFencedInSyncReplicasEligibleOnlyBelowMinInsyncReplicas() {
        PartitionImage oneFenced =
                PartitionElection.next(state(1, 4, List.of(1, 2, 3), List.of()), brokers(3), false, 2);
        assertThat(oneFenced.isr()).containsExactly(1, 2);
        assertThat(oneFenced.elr())
                .as("two still in sync: min.insync.replicas holds")
                .isEmpty();

        PartitionImage twoFenced =
                PartitionElection.next(state(1, 4, List.of(1, 2, 3), List.of()), brokers(2, 3), false, 2);
        assertThat(twoFenced.leader()).isEqualTo(1);
        assertThat(twoFenced.isr()).containsExactly(1);
        assertThat(twoFenced.elr()).containsExactly(2, 3);

        // The leader goes too; replica 2 comes back first: it leads, with everything committed.
        PartitionImage leaderless = PartitionElection.next(twoFenced, brokers(1, 2, 3), false, 2);
        assertThat(leaderless.leader()).isEqualTo(-1);
        PartitionImage back = PartitionElection.next(leaderless, brokers(1, 3), false, 2);
        assertThat(back.leader()).isEqualTo(2);
        assertThat(back.isr()).containsExactly(2);
        assertThat(back.elr()).containsExactly(3, 1);
    }

    @Test
    void shouldElectTheFirstServingReplicaAloneInSyncWhereUncleanElectionIsAllowed() {
        PartitionImage unclean = PartitionElection.next(state(1, 4, List.of(1), List.of()), brokers(1), true, 1);
        assertThat(unclean.leader()).isEqualTo(2);
        assertThat(unclean.isr()).containsExactly(2);
        assertThat(unclean.elr()).isEmpty();
        assertThat(unclean.leaderEpoch()).isEqualTo(5);
        assertThat(unclean.partitionEpoch()).isEqualTo(8);

        // An eligible leader replica still comes first: it has every committed record.
        PartitionImage eligible = PartitionElection.next(state(1, 4, List.of(1), List.of(3)), brokers(1), true, 2);
        assertThat(eligible.leader()).isEqualTo(3);
        // No replica serves: no leader, unclean or not.
        assertThat(PartitionElection.next(state(-1, 5, List.of(1), List.of()), brokers(1, 2, 3), true, 1))
                .isNull();
    }
}
