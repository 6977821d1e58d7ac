package io.piste.broker.metadata;

import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker as the image knows it: its epoch (higher at each registration, so a restarted broker never
 * passes for its previous life), the incarnation (one per process start), its rack ({@code ""} for none), its
 * endpoints, and whether it is fenced (registered but not serving: new, silent for too long, or stopping).
 */
public record BrokerImage(
        int nodeId, long epoch, Uuid incarnation, String rack, List<BrokerEndpoint> endpoints, boolean fenced) {

    public BrokerImage {
        endpoints = List.copyOf(endpoints);
    }

    /**
     * Where clients and other brokers reach this broker now: its endpoint for {@code listenerName} (else its first),
     * or null while it is fenced or has none.
     */
    public BrokerEndpoint servingEndpoint(String listenerName) {
        if (fenced || endpoints.isEmpty()) {
            return null;
        }
        for (BrokerEndpoint endpoint : endpoints) {
            if (endpoint.listener().equals(listenerName)) {
                return endpoint;
            }
        }
        return endpoints.get(0);
    }

    BrokerImage withFenced(boolean fenced) {
        return new BrokerImage(nodeId, epoch, incarnation, rack, endpoints, fenced);
    }
}
