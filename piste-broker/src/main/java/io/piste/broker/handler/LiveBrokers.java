package io.piste.broker.handler;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The brokers clients are sent to, as Metadata, DescribeCluster and FindCoordinator list them: in a cluster the
 * registered brokers that are not fenced, each at its endpoint for this node's listener; on a single node, itself.
 * Stateless.
 */
final class LiveBrokers {

    /** Where clients reach broker {@code nodeId}; {@code rack} null if it has none. */
    record Address(int nodeId, String host, int port, String rack) {}

    private LiveBrokers() {}

    static List<Address> of(BrokerContext broker, MetadataImage image) {
        if (image.brokers().isEmpty()) {
            return List.of(self(broker));
        }
        List<Address> live = new ArrayList<>();
        for (BrokerImage registered : image.brokers().values()) {
            Address address = address(broker, registered);
            if (address != null) {
                live.add(address);
            }
        }
        return live;
    }

    /** Broker {@code nodeId} if clients may be sent to it now, else null. */
    static Address find(BrokerContext broker, MetadataImage image, int nodeId) {
        if (image.brokers().isEmpty()) {
            return nodeId == broker.nodeId() ? self(broker) : null;
        }
        BrokerImage registered = image.broker(nodeId);
        return registered == null ? null : address(broker, registered);
    }

    /** Whether broker {@code nodeId} serves now (a replica on a fenced or unknown broker is offline). */
    static boolean isLive(MetadataImage image, int nodeId, int self) {
        if (image.brokers().isEmpty()) {
            return nodeId == self;
        }
        BrokerImage registered = image.broker(nodeId);
        return registered != null && !registered.fenced();
    }

    /** The replicas on brokers that do not serve now (Kafka's offline replicas). */
    static List<Integer> offline(MetadataImage image, List<Integer> replicas, int self) {
        List<Integer> offline = new ArrayList<>();
        for (int replica : replicas) {
            if (!isLive(image, replica, self)) {
                offline.add(replica);
            }
        }
        return offline;
    }

    private static Address self(BrokerContext broker) {
        return new Address(broker.nodeId(), broker.advertisedHost(), broker.advertisedPort(), null);
    }

    /** An unfenced broker at its endpoint for this node's listener name; null if it does not serve. */
    private static Address address(BrokerContext broker, BrokerImage registered) {
        BrokerEndpoint chosen =
                registered.servingEndpoint(broker.config().listener().listenerName());
        if (chosen == null) {
            return null;
        }
        String rack = registered.rack().isEmpty() ? null : registered.rack();
        return new Address(registered.nodeId(), chosen.host(), chosen.port(), rack);
    }
}
