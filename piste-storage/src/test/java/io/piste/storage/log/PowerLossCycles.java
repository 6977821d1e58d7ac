package io.piste.storage.log;

import io.piste.storage.sim.SimulatedCrash;
import io.piste.storage.sim.SimulatedDisk;
import java.io.IOException;
import java.util.Random;

/**
 * What the power-loss scenarios share: a log config drawn from the seed (small segments and indexes, so that they
 * roll often) and the crash cycle: pick a crash step, start, run operations until the disk crashes (at start-up
 * too), cut the power.
 */
final class PowerLossCycles {
    private static final int CRASH_WINDOW_STEPS = 300;
    private static final int MAX_OPERATIONS_PER_CYCLE = 100_000;

    /** A step of a scenario; a {@link SimulatedCrash} ends the cycle. */
    interface Step {
        void run() throws IOException;
    }

    private PowerLossCycles() {}

    static LogConfig randomConfig(Random random) {
        int[] segmentBytes = {300, 1024, 4096};
        return LogConfig.defaults()
                .withSegmentBytes(segmentBytes[random.nextInt(segmentBytes.length)])
                .withSegmentMs(60_000)
                .withIndexIntervalBytes(random.nextBoolean() ? 0 : 128)
                .withMaxIndexSizeBytes(random.nextBoolean() ? 96 : 10_240);
    }

    /**
     * Runs {@code cycles} crash cycles of {@code start} then {@code operation} over and over; an AssertionError or an
     * exception from the storage is a failure.
     */
    static void run(SimulatedDisk disk, Random random, int cycles, PowerLossStats stats, Step start, Step operation)
            throws IOException {
        for (int cycle = 0; cycle < cycles; cycle++) {
            disk.crashAtStep(disk.steps() + 1 + random.nextInt(CRASH_WINDOW_STEPS));
            boolean started = false;
            try {
                start.run();
                started = true;
                for (int i = 0; i < MAX_OPERATIONS_PER_CYCLE; i++) {
                    operation.run();
                }
                throw new AssertionError("no crash within " + MAX_OPERATIONS_PER_CYCLE + " operations");
            } catch (SimulatedCrash crash) {
                stats.crash(started);
            }
            disk.powerLoss(random);
        }
    }
}
