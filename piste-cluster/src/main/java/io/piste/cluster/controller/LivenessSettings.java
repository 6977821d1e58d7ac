package io.piste.cluster.controller;

import java.time.Duration;

/**
 * Kafka's {@code broker.session.timeout.ms}: a broker whose quorum member has not answered the leader for this long
 * is fenced; {@code broker.heartbeat.interval.ms}: how often the leader looks, and a fenced broker that serves asks
 * to be unfenced again; and Piste's {@code broker.liveness.probe.enable}: {@code probeAfter} is how long a quorum
 * member may be silent before the leader connects to its broker's listener, to fence it at once if nothing listens
 * there (null: never, only the session timeout fences, as in Kafka).
 */
public record LivenessSettings(Duration sessionTimeout, Duration heartbeatInterval, Duration probeAfter) {

    /** Kafka's defaults, 9 s and 2 s, and a probe after the quorum's default election timeout. */
    public static final LivenessSettings DEFAULTS =
            new LivenessSettings(Duration.ofSeconds(9), Duration.ofSeconds(2), Duration.ofSeconds(1));

    /** With no probe: only the session timeout fences. */
    public LivenessSettings(Duration sessionTimeout, Duration heartbeatInterval) {
        this(sessionTimeout, heartbeatInterval, null);
    }

    public LivenessSettings {
        if (heartbeatInterval.toMillis() < 1 || sessionTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("broker.session.timeout.ms (" + sessionTimeout.toMillis()
                    + ") must be above broker.heartbeat.interval.ms (" + heartbeatInterval.toMillis()
                    + "), and both positive");
        }
    }
}
