package io.piste.broker.monitoring;

/**
 * A consumer group's lag status, as Burrow evaluates it (see {@link LagWindow}), with Burrow's status codes: worst
 * last. {@code code} is what {@code piste_consumergroup_status_code} exposes.
 */
public enum LagStatus {
    /** Caught up, or lag that does not keep growing. */
    OK(1),
    /** Lag grew at every observation of the window while the group committed. */
    WARN(2),
    /** The group has members and lag, and its committed offset did not move over the window. */
    STALLED(5),
    /** The group has no members and lag: nobody consumes. */
    STOPPED(4);

    private final int code;

    LagStatus(int code) {
        this.code = code;
    }

    /** Burrow's status code (OK 1, WARN 2, STOP 4, STALL 5). */
    public int code() {
        return code;
    }

    LagStatus worst(LagStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
