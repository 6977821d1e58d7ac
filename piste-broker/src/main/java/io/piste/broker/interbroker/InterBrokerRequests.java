package io.piste.broker.interbroker;

import io.piste.broker.metadata.MetadataImage;
import java.util.function.Supplier;

/**
 * What this node asks of the other brokers of its cluster, each on a thread and connection of its own: transaction
 * markers for the partitions they lead ({@link MarkerSender}) and verifications with the transaction coordinators
 * they host ({@link TransactionVerifier}). Neither connects anywhere on a single node.
 */
public final class InterBrokerRequests implements AutoCloseable {

    private final MarkerSender markers;
    private final TransactionVerifier verifier;

    /** Reaches the other brokers at their endpoints for {@code listenerName} in the current image. */
    public InterBrokerRequests(int self, String listenerName, Supplier<MetadataImage> images) {
        this.markers = CoordinatorMarkers.sender(self, listenerName, images);
        this.verifier = new TransactionVerifier(self, listenerName, images);
    }

    public MarkerSender markers() {
        return markers;
    }

    public TransactionVerifier verifier() {
        return verifier;
    }

    @Override
    public void close() {
        verifier.close();
        markers.close();
    }
}
