package io.piste.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seeded power-loss simulation ({@link PowerLossScenario}) over many seeds. A failure names its seed; replay it
 * alone with {@code -Dpowerloss.seed=<seed>}. {@code -Dpowerloss.scenarios=<n>} runs more seeds (default
 * {@value #DEFAULT_SCENARIOS}, from a fixed first seed, so every build covers the same crash points).
 */
class PowerLossSimulationTest {
    private static final long FIRST_SEED = 0x5EED_0000L;
    private static final int DEFAULT_SCENARIOS = 300;
    private static final int CYCLES_PER_SCENARIO = 30;
    private static final int FOLLOWER_SCENARIOS = 60;

    @Test
    @Timeout(300)
    void shouldKeepEveryAcknowledgedBatchThroughThousandsOfPowerLosses() {
        String replay = System.getProperty("powerloss.seed");
        long first = replay == null ? FIRST_SEED : Long.decode(replay);
        int scenarios = replay == null ? Integer.getInteger("powerloss.scenarios", DEFAULT_SCENARIOS) : 1;
        PowerLossStats stats = new PowerLossStats();
        long started = System.nanoTime();
        long startedCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (long seed = first; seed < first + scenarios; seed++) {
            PowerLossScenario scenario = new PowerLossScenario(seed, stats);
            try {
                scenario.run(CYCLES_PER_SCENARIO);
            } catch (Throwable e) {
                throw new AssertionError(
                        "power-loss scenario failed: seed=" + seed + " (replay with -Dpowerloss.seed=" + seed
                                + ") step=" + scenario.steps() + " reason=" + e,
                        e);
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Duration cpu = Duration.ofNanos(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - startedCpu);
        System.out.println("Power-loss simulation: scenarios=" + scenarios + " " + stats + " tookMs=" + took.toMillis()
                + " cpuMs=" + cpu.toMillis());

        assertThat(stats.crashes).isEqualTo((long) scenarios * CYCLES_PER_SCENARIO);
        assertThat(stats.recoveriesVerified).isGreaterThan(stats.crashes / 2);
        assertThat(stats.duplicatesDetected).isPositive();
        assertThat(stats.crashesDuringStartup).isPositive();
        assertThat(stats.groupCommits).isPositive();
        assertThat(stats.logStartMoves)
                .as("DeleteRecords with segment deletions")
                .isPositive();
    }

    /**
     * The same on a follower's log ({@link FollowerPowerLossScenario}): what its fetches reported durable stays, and
     * what its truncations cut never comes back. {@code -Dpowerloss.follower.seed=<seed>} replays one.
     */
    @Test
    @Timeout(300)
    void shouldKeepEveryBatchAFollowerReportedThroughPowerLossesAndTruncations() {
        String replay = System.getProperty("powerloss.follower.seed");
        long first = replay == null ? FIRST_SEED : Long.decode(replay);
        int scenarios = replay == null ? FOLLOWER_SCENARIOS : 1;
        PowerLossStats stats = new PowerLossStats();
        for (long seed = first; seed < first + scenarios; seed++) {
            FollowerPowerLossScenario scenario = new FollowerPowerLossScenario(seed, stats);
            try {
                scenario.run(CYCLES_PER_SCENARIO);
            } catch (Throwable e) {
                throw new AssertionError(
                        "follower power-loss scenario failed: seed=" + seed + " (replay with -Dpowerloss.follower.seed="
                                + seed + ") step=" + scenario.steps() + " reason=" + e,
                        e);
            }
        }
        System.out.println("Follower power-loss simulation: scenarios=" + scenarios + " " + stats);

        assertThat(stats.crashes).isEqualTo((long) scenarios * CYCLES_PER_SCENARIO);
        assertThat(stats.recoveriesVerified).isGreaterThan(stats.crashes / 2);
        assertThat(stats.acknowledgements).isPositive();
        assertThat(stats.truncations).as("truncations where the log diverged").isPositive();
        assertThat(stats.crashesDuringStartup).isPositive();
    }
}
