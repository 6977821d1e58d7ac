package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EligibleLeadersTest {

    private static final PartitionImage ALL_IN_SYNC =
            new PartitionImage(List.of(1, 2, 3), 1, 0, 0, List.of(1, 2, 3), List.of());

    @Test
    void aReplicaLeavingAnIsrThatKeepsMinInsyncReplicasIsNotEligible() {
        assertThat(EligibleLeaders.after(ALL_IN_SYNC, List.of(1, 2), 2)).isEmpty();
    }

    @Test
    void aReplicaLeavingAnIsrThatFallsBelowMinInsyncReplicasBecomesEligible() {
        PartitionImage two = new PartitionImage(List.of(1, 2, 3), 1, 0, 1, List.of(1, 2), List.of());

        assertThat(EligibleLeaders.after(two, List.of(1), 2)).containsExactly(2);
        PartitionImage one = new PartitionImage(List.of(1, 2, 3), 1, 0, 2, List.of(1), List.of(2));
        assertThat(EligibleLeaders.after(one, List.of(1, 3), 3))
                .as("3 joins, still below 3 in sync: 2 stays eligible")
                .containsExactly(2);
        assertThat(EligibleLeaders.after(one, List.of(1, 2), 2))
                .as("back to min.insync.replicas: the ELR empties, 2 is in sync again")
                .isEmpty();
    }

    @Test
    void aTopicWithFewerReplicasThanMinInsyncReplicasCountsAllOfThem() {
        PartitionImage twoReplicas = new PartitionImage(List.of(1, 2), 1, 0, 0, List.of(1, 2), List.of());

        assertThat(EligibleLeaders.effectiveMinIsr(twoReplicas, 3)).isEqualTo(2);
        assertThat(EligibleLeaders.after(twoReplicas, List.of(1), 3)).containsExactly(2);
    }
}
