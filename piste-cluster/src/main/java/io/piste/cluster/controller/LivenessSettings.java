package io.piste.cluster.controller;

import java.time.Duration;

/**
 * Kafka's {@code broker.session.timeout.ms}: a broker whose quorum member has not answered the leader for this long
 * is fenced; and {@code broker.heartbeat.interval.ms}: how often the leader looks, and a fenced broker that serves
 * asks to be unfenced again.
 */
public record LivenessSettings(Duration sessionTimeout, Duration heartbeatInterval) {

    /** Kafka's defaults: 9 s and 2 s. */
    public static final LivenessSettings DEFAULTS = new LivenessSettings(Duration.ofSeconds(9), Duration.ofSeconds(2));

    public LivenessSettings {
        if (heartbeatInterval.toMillis() < 1 || sessionTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("broker.session.timeout.ms (" + sessionTimeout.toMillis()
                    + ") must be above broker.heartbeat.interval.ms (" + heartbeatInterval.toMillis()
                    + "), and both positive");
        }
    }
}
