package io.piste.broker.handler;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.config.ClusterConfigDef;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.partition.Partition;
import io.piste.broker.partition.ReadReplica;
import io.piste.broker.protocol.RequestContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.replica.ClientMetadata;
import org.apache.kafka.common.replica.PartitionView;
import org.apache.kafka.common.replica.ReplicaSelector;
import org.apache.kafka.common.replica.ReplicaView;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.Utils;

/**
 * Kafka's fetch from the closest replica (KIP-392), the leader's side: with {@code replica.selector.class} set, a
 * consumer's fetch (v11+, which carries its {@code client.rack}) of a partition led here with followers asks the
 * selector, among the leader and the in-sync followers that hold the fetch offset and serve now; if it names a
 * follower, the fetch is answered with that {@code preferred_read_replica} and no records, and the consumer fetches
 * there until its metadata refresh. Without the setting, consumers read from leaders, as in Kafka.
 */
final class PreferredReadReplicas {

    /** Consumers read from leaders (a single node, or no {@code replica.selector.class}). */
    static final PreferredReadReplicas NONE = new PreferredReadReplicas(null, null);

    private final BrokerContext broker;
    /** Null: leaders serve every consumer. */
    private final ReplicaSelector selector;

    private PreferredReadReplicas(BrokerContext broker, ReplicaSelector selector) {
        this.broker = broker;
        this.selector = selector;
    }

    /** The selector {@code replica.selector.class} names (instantiated and configured), or none. */
    static PreferredReadReplicas of(BrokerContext broker) {
        BrokerConfig config = broker.config();
        String className = config.getString(ClusterConfigDef.REPLICA_SELECTOR_CLASS_CONFIG);
        if (className == null || className.isBlank()) {
            return NONE;
        }
        ReplicaSelector selector;
        try {
            selector = Utils.newInstance(className.trim(), ReplicaSelector.class);
        } catch (ClassNotFoundException e) {
            throw new ConfigException(ClusterConfigDef.REPLICA_SELECTOR_CLASS_CONFIG, className, "no such class");
        }
        selector.configure(config.originals());
        return new PreferredReadReplicas(broker, selector);
    }

    /** Whether a selector is set: else consumers read from leaders and {@link #select} keeps every target. */
    boolean selects() {
        return selector != null;
    }

    /** What the selector knows of the consumer behind {@code context}: rack, id, address, listener (if it selects). */
    ClientMetadata client(RequestContext context, String rackId) {
        InetAddress address = context.clientAddress() instanceof InetSocketAddress socket
                ? socket.getAddress()
                : InetAddress.getLoopbackAddress();
        return new ClientMetadata.DefaultClientMetadata(
                rackId == null ? "" : rackId,
                context.clientId(),
                address,
                KafkaPrincipal.ANONYMOUS,
                broker.config().listener().listenerName());
    }

    /** {@code target}, redirected to the replica the selector prefers for {@code client} if it is not this leader. */
    FetchTarget select(FetchTarget target, ClientMetadata client, long nowMs) {
        Partition partition = target.partition();
        if (selector == null || partition == null || target.error() != Errors.NONE) {
            return target;
        }
        List<ReadReplica> followers = partition.readReplicas(target.fetchOffset(), nowMs);
        if (followers.isEmpty()) {
            return target;
        }
        MetadataImage image = broker.controller().image();
        ReplicaView leader =
                new ReplicaView.DefaultReplicaView(node(image, broker.nodeId()), partition.logEndOffset(), 0);
        Set<ReplicaView> replicas = new HashSet<>();
        replicas.add(leader);
        for (ReadReplica follower : followers) {
            Node node = node(image, follower.replicaId());
            if (!node.isEmpty()) {
                replicas.add(
                        new ReplicaView.DefaultReplicaView(node, follower.logEndOffset(), follower.sinceCaughtUpMs()));
            }
        }
        Optional<ReplicaView> chosen = selector.select(
                new TopicPartition(target.topicName(), target.partitionIndex()),
                client,
                new PartitionView.DefaultPartitionView(replicas, leader));
        return chosen.filter(
                        view -> !view.endpoint().isEmpty() && view.endpoint().id() != broker.nodeId())
                .map(view -> target.readFrom(view.endpoint().id()))
                .orElse(target);
    }

    /** Broker {@code nodeId} as this listener's clients reach it, with its rack; {@link Node#noNode} if not serving. */
    private Node node(MetadataImage image, int nodeId) {
        LiveBrokers.Address address = LiveBrokers.find(broker, image, nodeId);
        return address == null
                ? Node.noNode()
                : new Node(address.nodeId(), address.host(), address.port(), address.rack());
    }
}
