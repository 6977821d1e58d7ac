package io.piste.broker.interbroker;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.txn.MarkerWriter;
import java.util.function.Supplier;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * Wires the transaction coordinator's markers to the metadata image: which node leads a partition now, and where a
 * broker is reached on this node's listener name. On a single node every partition is this node's, and no request
 * ever leaves it. Stateless.
 */
public final class CoordinatorMarkers {

    private CoordinatorMarkers() {}

    /** The sender of markers to other brokers, reaching each at its endpoint for {@code listenerName}. */
    public static MarkerSender sender(int self, String listenerName, Supplier<MetadataImage> images) {
        return new MarkerSender(self, listenerName, id -> broker(images.get(), id, listenerName));
    }

    /** The coordinator's writer: {@code local} for what this node leads, {@code sender} for the rest. */
    public static RoutedMarkers routed(
            int self, Supplier<MetadataImage> images, MarkerWriter local, RoutedMarkers.RemoteMarkers sender) {
        return new RoutedMarkers(self, tp -> leaderOf(images.get(), tp, self), local, sender);
    }

    static int leaderOf(MetadataImage image, TopicPartition tp, int self) {
        TopicImage topic = image.topic(tp.topic());
        PartitionImage state = topic == null ? null : Assignments.partition(image, topic, tp.partition(), self);
        return state == null ? RoutedMarkers.UNKNOWN_PARTITION : state.leader();
    }

    /** Broker {@code id} at its endpoint for {@code listenerName} (else its first), or null if it does not serve. */
    public static Node broker(MetadataImage image, int id, String listenerName) {
        BrokerImage broker = image.broker(id);
        BrokerEndpoint chosen = broker == null ? null : broker.servingEndpoint(listenerName);
        if (chosen == null) {
            return null;
        }
        return new Node(id, chosen.host(), chosen.port(), broker.rack().isEmpty() ? null : broker.rack());
    }
}
