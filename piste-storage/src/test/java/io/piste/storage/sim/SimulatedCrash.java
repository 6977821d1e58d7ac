package io.piste.storage.sim;

/**
 * Thrown by every operation of a {@link SimulatedDisk} from its crash step on. An {@link Error}, so that the code
 * under test does not catch it as an I/O failure and carry on: like a power cut, it stops the caller on the spot.
 */
public final class SimulatedCrash extends Error {
    SimulatedCrash(String message) {
        super(message, null, false, false);
    }
}
