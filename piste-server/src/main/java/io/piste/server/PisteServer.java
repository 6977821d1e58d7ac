package io.piste.server;

import io.piste.broker.Broker;
import io.piste.broker.ControllerFactory;
import io.piste.broker.config.BrokerConfig;
import io.piste.broker.group.PartitionLag;
import io.piste.broker.metadata.Controller;
import io.piste.broker.monitoring.ControllerCollector;
import io.piste.broker.monitoring.KafkaMBeans;
import io.piste.broker.partition.Partition;
import io.piste.cluster.controller.ClusterControllers;
import io.piste.server.metrics.JvmMetricsCollector;
import io.piste.server.metrics.MetricsEndpoint;
import io.piste.storage.log.FileChannelFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * A running broker started from Kafka-style configuration, with its metrics endpoint ({@code metrics.http.listener}),
 * or a controller-only node ({@code process.roles=controller}): a voter of the metadata quorum that serves no
 * clients. The embedding API for tests and tools; the {@code piste server} command is a thin shell around it.
 */
public final class PisteServer implements AutoCloseable {

    /** Null on a controller-only node. */
    private final Broker broker;
    /** A controller-only node's, and its MBeans; null on a broker. */
    private final Controller controller;

    private final KafkaMBeans controllerBeans;

    private final MetricsEndpoint metrics;
    /** Where a controller-only node's quorum member listens, as host:port; null on a broker. */
    private final String quorumAddress;

    private PisteServer(Broker broker, Controller controller, MetricsEndpoint metrics, String quorumAddress) {
        this.broker = broker;
        this.controller = controller;
        this.controllerBeans = controller == null ? null : KafkaMBeans.registerController(controller);
        this.metrics = metrics;
        this.quorumAddress = quorumAddress;
    }

    public static PisteServer start(Properties config) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (String name : config.stringPropertyNames()) {
            values.put(name, config.getProperty(name));
        }
        return start(values);
    }

    /**
     * Starts the metrics endpoint first, so that {@code /health} answers and {@code /ready} says 503 while the broker
     * loads its logs and groups, then the broker.
     */
    public static PisteServer start(Map<String, String> config) throws Exception {
        return start(config, FileChannelFactory.DEFAULT);
    }

    /** As {@link #start(Map)}, the logs' files opened through {@code files}: the seam tests slow or fail a disk at. */
    public static PisteServer start(Map<String, String> config, FileChannelFactory files) throws Exception {
        BrokerConfig brokerConfig = new BrokerConfig(config);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new JvmMetricsCollector());
        AtomicReference<BooleanSupplier> ready = new AtomicReference<>(() -> false);
        MetricsEndpoint metrics = MetricsEndpoint.start(
                brokerConfig.metricsHttpListener(),
                !brokerConfig.originals().containsKey(BrokerConfig.METRICS_HTTP_LISTENER_CONFIG),
                registry,
                () -> ready.get().getAsBoolean());
        try {
            if (ClusterControllers.isClusterNode(brokerConfig) && ClusterControllers.isControllerOnly(brokerConfig)) {
                // Ready once open: it has caught up with what the quorum committed.
                Controller controller = ClusterControllers.open(brokerConfig, Broker.metadataDir(brokerConfig));
                registry.register(new ControllerCollector(controller));
                ready.set(() -> true);
                return new PisteServer(null, controller, metrics, ClusterControllers.quorumAddress(brokerConfig));
            }
            // A cluster node's controller is on the metadata quorum; the single node's has its own log, no quorum.
            ControllerFactory controllers =
                    ClusterControllers.isClusterNode(brokerConfig) ? ClusterControllers::open : ControllerFactory.LOCAL;
            Broker broker = Broker.start(brokerConfig, files, controllers);
            registry.register(broker.metricsCollector());
            ready.set(broker::isReady);
            return new PisteServer(broker, null, metrics, null);
        } catch (Exception | Error e) {
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
    }

    /** The port of the metrics endpoint, or -1 if {@code metrics.http.listener} is empty (no endpoint). */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    /** Whether this node is a broker (else a controller only, which serves no clients). */
    public boolean isBroker() {
        return broker != null;
    }

    public int port() {
        return broker().port();
    }

    /** The address clients should bootstrap from: the advertised host and port. */
    public String bootstrapServers() {
        return broker().advertisedHost() + ":" + broker().advertisedPort();
    }

    public String clusterId() {
        return broker != null ? broker.clusterId() : controller.clusterId();
    }

    /** Where a controller-only node's quorum member listens, as host:port. */
    public String quorumAddress() {
        return quorumAddress;
    }

    private Broker broker() {
        if (broker == null) {
            throw new IllegalStateException("a controller-only node (process.roles=controller) serves no clients");
        }
        return broker;
    }

    /** Every consumer group's lag per partition, as the broker sees it (committed offsets vs. end offsets). */
    public List<PartitionLag> consumerLag() {
        return broker().consumerLag().all();
    }

    /** How many incremental fetch sessions (KIP-227) the broker holds now. */
    public int fetchSessionCount() {
        return broker().fetchSessionCount();
    }

    /** How many fetch sessions the broker evicted for new ones since it started. */
    public long fetchSessionEvictions() {
        return broker().fetchSessionEvictions();
    }

    /** How many (long-poll fetch, partition) waits for new data the broker holds now. */
    public int fetchWaiterCount() {
        return broker().fetchWaiterCount();
    }

    /** How many long-poll fetches the broker holds parked now. */
    public int parkedFetchCount() {
        return broker().parkedFetchCount();
    }

    /** Partition {@code index} of {@code topic} as the broker holds it (see {@code Broker#partition}), or null. */
    public Partition partition(String topic, int index) {
        return broker().partition(topic, index);
    }

    /** Clean shutdown: stops the listener, flushes every log and writes the clean-shutdown markers. */
    @Override
    public void close() {
        try {
            if (broker != null) {
                broker.close();
            } else {
                controllerBeans.close();
                controller.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("The controller did not close cleanly", e);
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
    }
}
