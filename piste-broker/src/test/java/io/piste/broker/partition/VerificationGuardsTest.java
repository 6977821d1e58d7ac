package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerificationGuardsTest {

    private final VerificationGuards guards = new VerificationGuards();
    private final List<String> appended = new ArrayList<>();

    @Test
    void shouldAppendUnderTheGuardTakenForTheVerification() {
        Object guard = guards.take(7);

        assertThat(guards.runIfHeld(7, guard, () -> appended.add("batch"))).isTrue();
        assertThat(guards.take(7))
                .as("shared by the producer's verifications in flight")
                .isSameAs(guard);
        assertThat(appended).containsExactly("batch");
    }

    @Test
    void shouldRefuseAnAppendVerifiedForATransactionThatAMarkerEndedSince() throws IOException {
        Object guard = guards.take(7);
        Object otherProducers = guards.take(8);

        guards.voidFor(7, () -> appended.add("marker of 7"));

        assertThat(guards.runIfHeld(7, guard, () -> appended.add("late batch"))).isFalse();
        assertThat(guards.runIfHeld(7, guards.take(7), () -> appended.add("next transaction's batch")))
                .as("a new verification takes a new guard")
                .isTrue();
        assertThat(guards.runIfHeld(8, otherProducers, () -> appended.add("8's batch")))
                .isTrue();
        assertThat(appended).containsExactly("marker of 7", "next transaction's batch", "8's batch");
    }

    @Test
    void shouldRefuseAnAppendWithoutAGuardOrWithADroppedOne() {
        Object guard = guards.take(7);
        guards.drop(7, guard);

        assertThat(guards.runIfHeld(7, guard, () -> appended.add("batch"))).isFalse();
        assertThat(guards.runIfHeld(7, null, () -> appended.add("batch"))).isFalse();
        assertThat(appended).isEmpty();
    }
}
