package io.piste.broker;

import io.piste.broker.cleaner.CleanerConfigListener;
import io.piste.broker.cleaner.CompactedTopics;
import io.piste.broker.config.BrokerConfig;
import io.piste.broker.coordinator.CoordinatorLoads;
import io.piste.broker.coordinator.GroupLoad;
import io.piste.broker.group.ConsumerLag;
import io.piste.broker.group.GroupActivity;
import io.piste.broker.group.GroupConfig;
import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.GroupOffsets;
import io.piste.broker.group.GroupTimer;
import io.piste.broker.group.OffsetExpiry;
import io.piste.broker.group.OffsetsTopic;
import io.piste.broker.group.consumer.ConsumerGroupConfig;
import io.piste.broker.group.consumer.ConsumerGroupCoordinator;
import io.piste.broker.handler.BrokerContext;
import io.piste.broker.handler.CoordinatorTopics;
import io.piste.broker.handler.RequestDispatcher;
import io.piste.broker.handler.StorageErrors;
import io.piste.broker.interbroker.CoordinatorMarkers;
import io.piste.broker.interbroker.InterBrokerRequests;
import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.MetaProperties;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.metrics.BrokerMetrics;
import io.piste.broker.monitoring.BrokerCollector;
import io.piste.broker.monitoring.KafkaMBeans;
import io.piste.broker.network.BrokerServer;
import io.piste.broker.partition.CoordinatorPartitions;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import io.piste.broker.replication.ReplicaManager;
import io.piste.broker.replication.ReplicationListener;
import io.piste.broker.replication.ReplicationSettings;
import io.piste.broker.txn.MarkerWriter;
import io.piste.broker.txn.PartitionMarkers;
import io.piste.broker.txn.TransactionConfig;
import io.piste.broker.txn.TransactionCoordinator;
import io.piste.broker.txn.TransactionStateTopic;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.log.FileChannelFactory;
import io.prometheus.metrics.model.registry.MultiCollector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single Piste node: metadata controller, partitions and the Kafka listener, started in that order and
 * stopped in reverse. {@link #close()} is a clean shutdown: it stops accepting requests, flushes every log
 * and writes the clean-shutdown markers that make the next start-up skip recovery.
 */
public final class Broker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    /** The metadata log lives in the first log dir, under Kafka's directory name for it. */
    static final String METADATA_DIR = Topic.CLUSTER_METADATA_TOPIC_PARTITION.toString();

    private final Controller controller;
    private final LogManager logManager;
    private final BrokerServer server;
    private final BrokerContext context;
    private final GroupCoordinator groupCoordinator;
    private final ConsumerLag consumerLag;
    private final LogCleaner cleaner;
    private final BrokerCollector collector;
    private final KafkaMBeans mbeans;
    private final InterBrokerRequests interBroker;
    private final RequestDispatcher dispatcher;
    /** A cluster node's replication; null on a single node. */
    private final ReplicaManager replicas;
    /** A cluster node's coordinators following their partitions' leaders; null on a single node. */
    private final CoordinatorLoads coordinatorLoads;

    private Broker(
            Controller controller,
            LogManager logManager,
            BrokerServer server,
            BrokerContext context,
            GroupCoordinator groupCoordinator,
            ConsumerLag consumerLag,
            LogCleaner cleaner,
            BrokerCollector collector,
            KafkaMBeans mbeans,
            InterBrokerRequests interBroker,
            RequestDispatcher dispatcher,
            ReplicaManager replicas,
            CoordinatorLoads coordinatorLoads) {
        this.replicas = replicas;
        this.coordinatorLoads = coordinatorLoads;
        this.interBroker = interBroker;
        this.dispatcher = dispatcher;
        this.cleaner = cleaner;
        this.collector = collector;
        this.mbeans = mbeans;
        this.groupCoordinator = groupCoordinator;
        this.consumerLag = consumerLag;
        this.controller = controller;
        this.logManager = logManager;
        this.server = server;
        this.context = context;
    }

    public static Broker start(BrokerConfig config) throws IOException, InterruptedException {
        return start(config, FileChannelFactory.DEFAULT);
    }

    /**
     * Starts a broker whose logs open, fsync and sync their files through {@code files}: the seam through which
     * integration tests give a whole broker a failing disk.
     */
    public static Broker start(BrokerConfig config, FileChannelFactory files) throws IOException, InterruptedException {
        return start(config, files, ControllerFactory.LOCAL);
    }

    /**
     * Starts a broker on the controller {@code controllers} opens: the single node's, or a cluster's. The logs are
     * opened from the controller's image, the listener is bound, and only then does the controller hear of changes
     * and the node start serving (in a cluster: registered and unfenced).
     */
    public static Broker start(BrokerConfig config, FileChannelFactory files, ControllerFactory controllers)
            throws IOException, InterruptedException {
        Broker broker = open(config, files, controllers);
        BrokerConfig.Endpoint advertised = config.advertisedListener();
        try {
            broker.controller.startServing(
                    config.getString("broker.rack"),
                    List.of(new BrokerEndpoint(
                            advertised.listenerName(),
                            advertised.securityProtocol(),
                            broker.advertisedHost(),
                            broker.advertisedPort())));
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** Where a node keeps its metadata (a cluster node's quorum storage under it): in the first log dir. */
    public static Path metadataDir(BrokerConfig config) {
        return config.logDirs().get(0).resolve(METADATA_DIR);
    }

    private static Broker open(BrokerConfig config, FileChannelFactory files, ControllerFactory controllers)
            throws IOException, InterruptedException {
        Controller controller = controllers.open(config, metadataDir(config));
        String clusterId;
        try {
            clusterId = MetaProperties.loadOrCreate(config.logDirs(), config.nodeId(), controller.clusterId());
        } catch (IOException | RuntimeException e) {
            controller.close();
            throw e;
        }
        LogManager logManager = null;
        GroupCoordinator groups = null;
        TransactionCoordinator transactions = null;
        InterBrokerRequests interBroker = null;
        ReplicaManager replicas = null;
        CoordinatorLoads coordinatorLoads = null;
        BrokerMetrics metrics = new BrokerMetrics();
        try {
            logManager = new LogManager(config, files, metrics);
            MetadataImage opened = controller.image();
            logManager.startup(opened);
            if (controller.clusterId() != null) {
                // A cluster's node: partitions led here track their followers, the others are fetched from leaders.
                replicas =
                        new ReplicaManager(config.nodeId(), logManager, controller, ReplicationSettings.from(config));
                replicas.apply(opened);
                controller.setListener(new ReplicationListener(logManager, replicas, controller::image), opened);
            } else {
                controller.setListener(logManager, opened);
            }
            // A cluster's coordinators follow the leaders of their internal topics' partitions, replicated as Kafka's
            boolean cluster = replicas != null;
            GroupConfig groupConfig = GroupConfig.from(config);
            GroupTimer groupTimer = GroupTimer.system();
            OffsetsTopic offsetsTopic = new OffsetsTopic(
                    controller,
                    logManager,
                    groupConfig.offsetsTopicPartitions(),
                    System::currentTimeMillis,
                    cluster ? config.getShort("offsets.topic.replication.factor") : (short) 1);
            groups = new GroupCoordinator(groupConfig, groupTimer, offsetsTopic);
            GroupOffsets offsets = new GroupOffsets(offsetsTopic, offsetsTopic::partitionOf, partitions(cluster));
            GroupCoordinator classicGroups = groups;
            ConsumerGroupCoordinator consumerGroups = new ConsumerGroupCoordinator(
                    ConsumerGroupConfig.from(config),
                    GroupTimer.system(),
                    controller::image,
                    groupId -> classicGroups.admin().deleteGroup(groupId) != Errors.NON_EMPTY_GROUP,
                    offsetsTopic);
            GroupLoad groupLoad = new GroupLoad(offsetsTopic, offsets, groups, consumerGroups);
            if (!cluster) {
                groupLoad.loadAll();
            }
            Function<String, GroupActivity> activity = groupId -> consumerGroups.isConsumerGroup(groupId)
                    ? consumerGroups.activity(groupId)
                    : classicGroups.offsetChecks().activity(groupId);
            new OffsetExpiry(
                            offsets,
                            activity,
                            groupId -> {
                                consumerGroups.removeIfEmpty(groupId);
                                classicGroups.admin().removeIfEmpty(groupId);
                            },
                            groupConfig.offsetsRetentionMs())
                    .schedule(groupTimer, groupConfig.offsetsRetentionCheckIntervalMs());
            consumerGroups.scheduleCleanup(offsets::hasOffsets, groupConfig.offsetsRetentionCheckIntervalMs());
            // after the offsets: resuming a decided transaction completes its offsets there. The coordinator's
            // markers go to each partition's leader; WriteTxnMarkers writes only where this node leads.
            MarkerWriter markers = markerWriter(config.nodeId(), controller, logManager, offsets);
            interBroker =
                    new InterBrokerRequests(config.nodeId(), config.listener().listenerName(), controller::image);
            MarkerWriter coordinatorMarkers =
                    CoordinatorMarkers.routed(config.nodeId(), controller::image, markers, interBroker.markers());
            TransactionConfig transactionConfig = TransactionConfig.from(config);
            TransactionStateTopic transactionTopic = new TransactionStateTopic(
                    controller,
                    logManager,
                    transactionConfig,
                    System::currentTimeMillis,
                    cluster ? config.getShort("transaction.state.log.replication.factor") : (short) 1,
                    config.getInt("transaction.state.log.min.isr"));
            CoordinatorPartitions transactionPartitions = partitions(cluster);
            transactions = startTransactions(
                    transactionConfig, transactionTopic, controller, coordinatorMarkers, transactionPartitions);
            if (cluster) {
                // told of the partitions led now first, then of each change as the images are applied
                coordinatorLoads = new CoordinatorLoads(groupLoad, offsets, transactions, transactionPartitions);
                replicas.setLeadershipListener(CoordinatorLoads.TOPICS, coordinatorLoads);
            }
            CoordinatorTopics coordinatorTopics = new CoordinatorTopics() {
                @Override
                public TopicImage offsets() throws IOException {
                    return offsetsTopic.topic();
                }

                @Override
                public TopicImage transactions() throws IOException {
                    return transactionTopic.topic();
                }
            };
            BrokerContext context = new BrokerContext(
                    config,
                    clusterId,
                    controller,
                    logManager,
                    groups,
                    offsets,
                    consumerGroups,
                    transactions,
                    markers,
                    coordinatorTopics,
                    interBroker.verifier());
            if (replicas != null) {
                context.setIsrExpansion(replicas::maybeExpandIsr);
                context.setLeaderThrottle(replicas.leaderThrottle());
            }
            RequestDispatcher dispatcher = new RequestDispatcher(context);
            BrokerConfig.Endpoint listener = config.listener();
            BrokerServer server = BrokerServer.bind(
                    listener.host(),
                    listener.port(),
                    new BrokerServer.Settings(
                            ioThreads(config),
                            config.socketRequestMaxBytes(),
                            config.queuedMaxRequests(),
                            config.connectionsMaxIdleMs()),
                    dispatcher,
                    dispatcher.apiVersions(),
                    metrics.requests());
            BrokerConfig.Endpoint advertised = config.advertisedListener();
            context.setAdvertisedAddress(advertised.host(), advertised.port() == 0 ? server.port() : advertised.port());

            LogManager partitions = logManager;
            ConsumerLag lag = new ConsumerLag(offsets, tp -> {
                Partition partition = partitions.partition(tp.topic(), tp.partition());
                return partition == null ? -1 : partition.highWatermark();
            });
            // Compacts the open logs of compacted topics, __consumer_offsets among them (created compacted).
            LogCleaner cleaner = CompactedTopics.newLogCleaner(config, logManager);
            cleaner.start();
            // from now on a change of the log.cleaner.* broker configs reaches the cleaner too
            MetadataListener withCleaner = new CleanerConfigListener(logManager, cleaner);
            controller.setListener(
                    replicas == null ? withCleaner : new ReplicationListener(withCleaner, replicas, controller::image));
            BrokerCollector collector = new BrokerCollector(
                    metrics,
                    logManager,
                    controller,
                    context::parkedFetchCount,
                    context.fetchSessions().cache(),
                    lag,
                    groupId -> activity.apply(groupId).hasMembers(),
                    cleaner::stats);
            KafkaMBeans mbeans = KafkaMBeans.register(
                    metrics,
                    logManager,
                    controller,
                    context::parkedFetchCount,
                    context.fetchSessions().cache(),
                    cleaner::stats);
            return new Broker(
                    controller,
                    logManager,
                    server,
                    context,
                    groups,
                    lag,
                    cleaner,
                    collector,
                    mbeans,
                    interBroker,
                    dispatcher,
                    replicas,
                    coordinatorLoads);
        } catch (RuntimeException | IOException | InterruptedException e) {
            if (replicas != null) {
                replicas.close();
            }
            if (coordinatorLoads != null) {
                coordinatorLoads.close();
            }
            if (transactions != null) {
                transactions.close();
            }
            if (interBroker != null) {
                interBroker.close();
            }
            if (groups != null) {
                groups.close();
            }
            if (logManager != null) {
                logManager.close();
            }
            controller.close();
            throw e;
        }
    }

    /** Writes markers to the partitions this node leads; one led elsewhere is unavailable here. */
    private static MarkerWriter markerWriter(
            int self, Controller controller, LogManager logManager, GroupOffsets offsets) {
        return new PartitionMarkers(
                tp -> {
                    MetadataImage image = controller.image();
                    TopicImage topic = image.topic(tp.topic());
                    return topic != null && Assignments.leads(image, topic, tp.partition(), self)
                            ? logManager.partition(tp.topic(), tp.partition())
                            : null;
                },
                tp -> {
                    TopicImage topic = controller.image().topic(tp.topic());
                    return topic != null && tp.partition() >= 0 && tp.partition() < topic.partitionCount();
                },
                StorageErrors::forException,
                offsets::completeTransaction);
    }

    /** Every partition a single node's coordinator; those led here, once loaded, a cluster node's. */
    private static CoordinatorPartitions partitions(boolean cluster) {
        return cluster ? CoordinatorPartitions.byLeadership() : CoordinatorPartitions.everyPartition();
    }

    /**
     * The transaction coordinator: on a single node its state loaded from __transaction_state (decided transactions
     * resumed); on a cluster node started empty, each partition loaded as this node comes to lead it.
     */
    private static TransactionCoordinator startTransactions(
            TransactionConfig transactionConfig,
            TransactionStateTopic topic,
            Controller controller,
            MarkerWriter markers,
            CoordinatorPartitions partitions)
            throws IOException {
        TransactionCoordinator coordinator = new TransactionCoordinator(
                transactionConfig, topic, controller::nextProducerId, markers, System::currentTimeMillis, partitions);
        try {
            if (partitions.isEveryPartition()) {
                coordinator.load();
            } else {
                coordinator.start();
            }
        } catch (IOException | RuntimeException e) {
            coordinator.close();
            throw e;
        }
        return coordinator;
    }

    private static int ioThreads(BrokerConfig config) {
        return Math.max(
                1, Math.min(config.numNetworkThreads(), Runtime.getRuntime().availableProcessors()));
    }

    /** The port the listener is bound to (useful when {@code listeners} asked for port 0). */
    public int port() {
        return server.port();
    }

    public String advertisedHost() {
        return context.advertisedHost();
    }

    public int advertisedPort() {
        return context.advertisedPort();
    }

    public String clusterId() {
        return context.clusterId();
    }

    /** How many fetch sessions the broker holds now, for monitoring. */
    public int fetchSessionCount() {
        return context.fetchSessions().cache().size();
    }

    /** How many fetch sessions the broker evicted for new ones since it started, for monitoring. */
    public long fetchSessionEvictions() {
        return context.fetchSessions().cache().evictionCount();
    }

    /** How many (fetch, partition) waits for new data there are now, over all partitions, for monitoring. */
    public int fetchWaiterCount() {
        return logManager.dataWaiterCount();
    }

    /** How many fetches are parked waiting for data now (at most {@code fetch.purgatory.max.requests}). */
    public int parkedFetchCount() {
        return context.parkedFetchCount();
    }

    /**
     * True once the background recovery of the logs after an unclean stop has finished (the offsets topic and the
     * group coordinators are loaded before {@link #start} returns): the readiness orchestrators wait for.
     */
    public boolean isReady() {
        return logManager.pendingRecoveries() == 0;
    }

    /** Every metric of this broker, for the registry its metrics endpoint serves (read at each scrape). */
    public MultiCollector metricsCollector() {
        return collector;
    }

    /** Every group's lag per partition, for monitoring. */
    public ConsumerLag consumerLag() {
        return consumerLag;
    }

    /**
     * Partition {@code index} of {@code topic} (its log opened if needed), or null if unknown: the broker's internal
     * append path, through which the transaction coordinator will write its markers, and tests seed logs.
     */
    public Partition partition(String topic, int index) {
        return logManager.partition(topic, index);
    }

    /** The log cleaner (compaction), for monitoring and tests. */
    public LogCleaner logCleaner() {
        return cleaner;
    }

    @Override
    public void close() {
        try {
            controller.stopServing();
        } catch (IOException | RuntimeException e) {
            log.warn("Could not fence this broker before stopping; the quorum will when it stops answering: {}", e);
        }
        mbeans.close();
        server.stopAccepting();
        server.close();
        dispatcher.close();
        if (coordinatorLoads != null) {
            coordinatorLoads.close();
        }
        context.transactionCoordinator().close();
        interBroker.close();
        groupCoordinator.close();
        context.consumerGroupCoordinator().close();
        cleaner.close();
        if (replicas != null) {
            replicas.close();
        }
        logManager.close();
        try {
            controller.close();
        } catch (IOException e) {
            log.warn("Could not close the metadata log: {}", e.toString());
        }
    }
}
