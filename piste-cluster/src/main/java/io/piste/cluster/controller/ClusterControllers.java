package io.piste.cluster.controller;

import io.piste.broker.ControllerFactory;
import io.piste.broker.config.BrokerConfig;
import io.piste.broker.config.ClusterConfigDef;
import io.piste.cluster.quorum.QuorumBootstrap;
import io.piste.cluster.quorum.QuorumSettings;
import io.piste.cluster.quorum.QuorumVoter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a node's {@link QuorumController} from its Kafka config: {@code process.roles}, {@code
 * controller.quorum.voters} and the quorum's and liveness timeouts. A voter's quorum member keeps its Raft log and
 * snapshots in {@code quorum} under the metadata directory (a broker-only node keeps nothing there, but the
 * directory marks its log dirs as a cluster node's); {@link #open} returns once this node has applied all that the
 * quorum had committed, so that the broker opens its partitions from an image as new as the cluster's. Stateless.
 */
public final class ClusterControllers {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterControllers.class);

    /** The single node's metadata log, which a cluster node must not have (see {@link #open}). */
    private static final String SINGLE_NODE_LOG = "metadata.log";

    private static final String VOTERS = "controller.quorum.voters";
    private static final String BOOTSTRAP_SERVERS = "controller.quorum.bootstrap.servers";
    private static final String ROLES = "process.roles";
    private static final String BROKER = "broker";
    private static final String CONTROLLER = "controller";
    private static final Set<String> BOTH = Set.of(BROKER, CONTROLLER);
    private static final Duration WAIT_LOG_INTERVAL = Duration.ofSeconds(10);

    private ClusterControllers() {}

    /**
     * Whether this node is part of a cluster: {@code controller.quorum.voters} names a node other than this one (a
     * broker-only node is not among them at all), or {@code process.roles} gives it one role only (a controller
     * alone still serves brokers that join). A quorum of this node alone, broker and controller, is the single node,
     * which needs no quorum.
     *
     * @throws ConfigException if the voters do not parse, or the bootstrap servers of a node that is both with no
     *     voters name another node than itself
     */
    public static boolean isClusterNode(BrokerConfig config) {
        String value = config.getString(VOTERS);
        if (value == null || value.isBlank()) {
            if (config.processRoles().equals(BOTH)) {
                checkSingleNodeBootstrap(config);
                return false;
            }
            return true; // a broker or a controller alone: open says what it lacks
        }
        return voters(value).stream().anyMatch(v -> v.id() != config.nodeId())
                || !config.processRoles().equals(BOTH);
    }

    /** Where this voter's quorum member listens, as host:port: its CONTROLLER listener, else its voter address. */
    public static String quorumAddress(BrokerConfig config) {
        return quorumListener(config)
                .map(l -> (l.host() == null ? "0.0.0.0" : l.host()) + ":" + l.port())
                .orElseGet(() -> voters(config.getString(VOTERS)).stream()
                        .filter(v -> v.id() == config.nodeId())
                        .map(QuorumVoter::address)
                        .findFirst()
                        .orElse("none"));
    }

    /** The CONTROLLER listener, where the quorum member listens; a null host for all interfaces. */
    private static Optional<QuorumSettings.Listener> quorumListener(BrokerConfig config) {
        return config.controllerListener()
                .map(l -> new QuorumSettings.Listener(l.host().isEmpty() ? null : l.host(), l.port()));
    }

    /** Whether this node is a controller only ({@code process.roles=controller}): a voter that serves no clients. */
    public static boolean isControllerOnly(BrokerConfig config) {
        return config.processRoles().equals(Set.of(CONTROLLER));
    }

    /**
     * Starts this node's member of the quorum and waits, logging every {@link #WAIT_LOG_INTERVAL} (a cluster forms
     * once a majority of the voters runs), until it has caught up with what the quorum committed.
     *
     * @throws ConfigException if the roles or voters are not a cluster node's
     * @throws IOException if the metadata directory holds a single node's metadata log: that node's topics are not
     *     the cluster's, and would be lost to it
     */
    public static QuorumController open(BrokerConfig config, Path metadataDir) throws IOException {
        List<QuorumVoter> voters = quorumVoters(config);
        boolean voter = voters.stream().anyMatch(v -> v.id() == config.nodeId());
        checkRoles(config, voter);
        Path singleNodeLog = metadataDir.resolve(SINGLE_NODE_LOG);
        if (Files.exists(singleNodeLog)) {
            throw new IOException("The log dir holds a single node's metadata (" + singleNodeLog + "); a single node "
                    + "cannot join a cluster yet. Start the cluster node on empty log dirs.");
        }
        QuorumSettings settings = new QuorumSettings(
                config.nodeId(),
                voters,
                metadataDir.resolve(ControllerFactory.QUORUM_DIR),
                Duration.ofMillis(config.getInt("controller.quorum.election.timeout.ms")),
                Duration.ofMillis(config.getInt("controller.quorum.request.timeout.ms")),
                QuorumSettings.DEFAULT_SNAPSHOT_EVERY_ENTRIES,
                config.getInt("metadata.log.segment.bytes"),
                voter ? quorumListener(config).orElse(null) : null);
        LivenessSettings liveness;
        try {
            liveness = new LivenessSettings(
                    Duration.ofMillis(config.getInt("broker.session.timeout.ms")),
                    Duration.ofMillis(config.getInt("broker.heartbeat.interval.ms")),
                    config.getBoolean(ClusterConfigDef.BROKER_LIVENESS_PROBE_ENABLE_CONFIG)
                            ? settings.electionTimeout()
                            : null);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        Files.createDirectories(settings.dir());
        QuorumController controller = QuorumController.start(settings, liveness, electionSettings(config));
        try {
            awaitCaughtUp(controller, voters);
        } catch (IOException | RuntimeException e) {
            controller.close();
            throw e;
        }
        return controller;
    }

    private static ElectionSettings electionSettings(BrokerConfig config) {
        return new ElectionSettings(
                config.getBoolean(ClusterConfigDef.AUTO_LEADER_REBALANCE_ENABLE_CONFIG),
                Duration.ofSeconds(config.getLong(ClusterConfigDef.LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_CONFIG)),
                config.getInt(ClusterConfigDef.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_CONFIG),
                config.getBoolean(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG),
                config.getInt(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
    }

    private static void awaitCaughtUp(QuorumController controller, List<QuorumVoter> voters) throws IOException {
        long started = System.nanoTime();
        long lastLog = started;
        while (true) {
            try {
                controller.quorum().latestImage();
                LOG.info(
                        "Joined the metadata quorum of {} voters in {} ms",
                        voters.size(),
                        (System.nanoTime() - started) / 1_000_000);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while joining the metadata quorum");
            } catch (IOException | RuntimeException e) {
                if (System.nanoTime() - lastLog >= WAIT_LOG_INTERVAL.toNanos()) {
                    lastLog = System.nanoTime();
                    LOG.info(
                            "Waiting for a majority of the voters {} to form the metadata quorum ({} s so far): {}",
                            voters,
                            (lastLog - started) / 1_000_000_000,
                            e.toString());
                }
            }
        }
    }

    /**
     * The voters: {@code controller.quorum.voters}, or for a broker-only node without them, as the controllers of
     * {@code controller.quorum.bootstrap.servers} tell them (KIP-853; waits until one answers), or a controller alone
     * ({@link #controllerAlone}).
     */
    private static List<QuorumVoter> quorumVoters(BrokerConfig config) throws IOException {
        String value = config.getString(VOTERS);
        if (value != null && !value.isBlank()) {
            return voters(value);
        }
        String bootstrap = config.getString(BOOTSTRAP_SERVERS);
        QuorumVoter alone = controllerAlone(config, bootstrap);
        if (alone != null) {
            return List.of(alone);
        }
        if (!config.processRoles().equals(Set.of(BROKER))) {
            throw new ConfigException(
                    VOTERS,
                    value,
                    "a controller needs the voters: Piste's metadata quorum is static (KIP-853's dynamic quorum, "
                            + "formatted with --standalone or --initial-controllers, is not supported)");
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new ConfigException(VOTERS, value, "a broker-only node needs " + VOTERS + " or " + BOOTSTRAP_SERVERS);
        }
        return QuorumBootstrap.discoverVoters(
                bootstrapServers(bootstrap), Duration.ofMillis(config.getInt("controller.quorum.request.timeout.ms")));
    }

    /**
     * Kafka's sample {@code controller.properties} (a quorum of one formatted with {@code --standalone}): a
     * controller-only node whose bootstrap servers name only its own CONTROLLER listener is the one voter, at that
     * address; null for any other node.
     */
    private static QuorumVoter controllerAlone(BrokerConfig config, String bootstrap) {
        if (!isControllerOnly(config) || bootstrap == null || bootstrap.isBlank()) {
            return null;
        }
        QuorumVoter itself = itselfAlone(config, bootstrap);
        return itself == null ? null : new QuorumVoter(config.nodeId(), itself.host(), itself.port());
    }

    /** The one server of {@code bootstrap} if it is this node's own CONTROLLER listener (by port), else null. */
    private static QuorumVoter itselfAlone(BrokerConfig config, String bootstrap) {
        List<QuorumVoter> servers = bootstrapServers(bootstrap);
        int ownPort = config.controllerListener().map(l -> l.port()).orElse(-1);
        return servers.size() == 1 && servers.get(0).port() == ownPort ? servers.get(0) : null;
    }

    /**
     * A node that is both broker and controller with no voters is the single node; {@code
     * controller.quorum.bootstrap.servers} may then name only its own CONTROLLER listener, as Kafka's single-node
     * quick start does. Anything else means a dynamic quorum of several nodes, which this node would not join.
     */
    private static void checkSingleNodeBootstrap(BrokerConfig config) {
        String bootstrap = config.getString(BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            return;
        }
        if (itselfAlone(config, bootstrap) == null) {
            throw new ConfigException(
                    BOOTSTRAP_SERVERS,
                    bootstrap,
                    "without " + VOTERS + " this node is a single node, whose bootstrap server can only be its "
                            + "own CONTROLLER listener; Piste's quorum is static: list the voters in " + VOTERS);
        }
    }

    private static List<QuorumVoter> bootstrapServers(String value) {
        try {
            return QuorumBootstrap.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(BOOTSTRAP_SERVERS, value, e.getMessage());
        }
    }

    private static List<QuorumVoter> voters(String value) {
        try {
            return QuorumVoter.parseAll(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(VOTERS, value, e.getMessage());
        }
    }

    /**
     * A node is a broker and a voter (process.roles {@code broker,controller}, or unset), a broker only ({@code
     * broker}: not among the voters, and without a CONTROLLER listener, as Kafka requires), or a controller only
     * ({@code controller}: a voter).
     */
    private static void checkRoles(BrokerConfig config, boolean voter) {
        Set<String> roles = config.processRoles();
        if (roles.equals(Set.of(BROKER))) {
            if (voter) {
                throw new ConfigException(
                        VOTERS,
                        config.getString(VOTERS),
                        "node.id " + config.nodeId()
                                + " is one of the voters, but process.roles=broker: a broker-only node is not a voter");
            }
            if (config.controllerListener().isPresent()) {
                throw new ConfigException(
                        "listeners",
                        config.getString("listeners"),
                        "a broker-only node (process.roles=broker) has no CONTROLLER listener");
            }
        } else if (roles.equals(BOTH) || roles.equals(Set.of(CONTROLLER))) {
            if (!voter) {
                throw new ConfigException(
                        VOTERS,
                        config.getString(VOTERS),
                        "node.id " + config.nodeId()
                                + " is not one of the voters; a broker-only node sets process.roles=broker");
            }
        } else {
            throw new ConfigException(
                    ROLES, config.getString(ROLES), "the roles are broker, controller, or both (broker,controller)");
        }
    }
}
