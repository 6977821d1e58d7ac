package io.piste.broker.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.group.PartitionLag;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Burrow's rules over a window of observations fed with explicit times (no clock, no sleep). */
class LagWindowTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private static final int SIZE = 3;

    private final LagWindow window = new LagWindow(SIZE, 1_000);

    @Test
    void shouldBeOkWithoutLag() {
        window.observe(0, List.of(lag(P0, 10, 10)));
        assertThat(window.evaluate(false)).isEqualTo(LagStatus.OK);
        assertThat(window.evaluate(true)).isEqualTo(LagStatus.OK);
    }

    @Test
    void shouldBeStoppedWhenNoMemberConsumesAndThereIsLag() {
        window.observe(0, List.of(lag(P0, 5, 10)));
        assertThat(window.evaluate(false)).isEqualTo(LagStatus.STOPPED);
        assertThat(window.evaluate(true)).as("one observation: no trend yet").isEqualTo(LagStatus.OK);
    }

    @Test
    void shouldWarnWhileLagGrowsOverTheWholeWindowWithCommitsMoving() {
        window.observe(0, List.of(lag(P0, 0, 10)));
        window.observe(5_000, List.of(lag(P0, 5, 20)));
        assertThat(window.evaluate(true)).as("window not full").isEqualTo(LagStatus.OK);
        window.observe(10_000, List.of(lag(P0, 10, 40)));
        assertThat(window.evaluate(true)).isEqualTo(LagStatus.WARN);
    }

    @Test
    void shouldBeOkWhenLagFellOnceInTheWindow() {
        window.observe(0, List.of(lag(P0, 0, 10)));
        window.observe(5_000, List.of(lag(P0, 8, 12)));
        window.observe(10_000, List.of(lag(P0, 9, 30)));
        assertThat(window.evaluate(true)).isEqualTo(LagStatus.OK);
    }

    @Test
    void shouldBeStalledWhenTheCommittedOffsetDoesNotMoveWithLag() {
        window.observe(0, List.of(lag(P0, 7, 10), lag(P1, 0, 0)));
        window.observe(5_000, List.of(lag(P0, 7, 10), lag(P1, 3, 3)));
        window.observe(10_000, List.of(lag(P0, 7, 12), lag(P1, 6, 6)));
        assertThat(window.evaluate(true)).as("the worst partition decides").isEqualTo(LagStatus.STALLED);
        assertThat(window.evaluate(false)).isEqualTo(LagStatus.STOPPED);
    }

    @Test
    void shouldBeOkWhenAnyObservationOfThePartitionHadNoLag() {
        window.observe(0, List.of(lag(P0, 10, 10)));
        window.observe(5_000, List.of(lag(P0, 10, 12)));
        window.observe(10_000, List.of(lag(P0, 10, 14)));
        assertThat(window.evaluate(true)).isEqualTo(LagStatus.OK);
        window.observe(15_000, List.of(lag(P0, 10, 16)));
        assertThat(window.evaluate(true))
                .as("the lag-free observation slid out of the window")
                .isEqualTo(LagStatus.STALLED);
    }

    @Test
    void shouldCountObservationsCloserThanTheMinimumIntervalOnce() {
        window.observe(0, List.of(lag(P0, 0, 10)));
        window.observe(500, List.of(lag(P0, 1, 20)));
        window.observe(900, List.of(lag(P0, 2, 30)));
        assertThat(window.evaluate(true)).as("one observation kept").isEqualTo(LagStatus.OK);
        window.observe(1_000, List.of(lag(P0, 3, 40)));
        window.observe(2_000, List.of(lag(P0, 4, 50)));
        assertThat(window.evaluate(true)).isEqualTo(LagStatus.WARN);
    }

    @Test
    void shouldRefuseAWindowTooShortForATrend() {
        assertThatThrownBy(() -> new LagWindow(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldForgetTheWindowOfAGroupWithoutOffsets() {
        GroupLagWindows windows = new GroupLagWindows(SIZE, 0);
        for (int i = 0; i < SIZE; i++) {
            assertThat(windows.observe(i, Map.of("g", List.of(lag(P0, 7, 10))), g -> true))
                    .containsEntry("g", i < SIZE - 1 ? LagStatus.OK : LagStatus.STALLED);
        }
        assertThat(windows.observe(SIZE, Map.of(), g -> true)).isEmpty();
        assertThat(windows.observe(SIZE + 1, Map.of("g", List.of(lag(P0, 7, 10))), g -> true))
                .as("a new window: one observation")
                .containsEntry("g", LagStatus.OK);
    }

    private static PartitionLag lag(TopicPartition partition, long committed, long end) {
        return new PartitionLag("g", partition, committed, end, Math.max(0, end - committed), 0);
    }
}
