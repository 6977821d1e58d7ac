package io.piste.broker.handler;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.fetchsession.FetchSessionCache;
import io.piste.broker.fetchsession.FetchSessions;
import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.GroupOffsets;
import io.piste.broker.group.consumer.ConsumerGroupCoordinator;
import io.piste.broker.metadata.Controller;
import io.piste.broker.partition.LogManager;
import io.piste.broker.replication.LeaderThrottle;
import io.piste.broker.txn.MarkerWriter;
import io.piste.broker.txn.RemoteCoordinators;
import io.piste.broker.txn.TransactionCoordinator;
import java.security.SecureRandom;

/**
 * What every handler may need to know of the broker: its config, identity, metadata, partitions, group and
 * transaction coordinators and fetch sessions.
 */
public final class BrokerContext {

    private final BrokerConfig config;
    private final String clusterId;
    private final Controller controller;
    private final LogManager logManager;
    private final GroupCoordinator groupCoordinator;
    private final GroupOffsets groupOffsets;
    private final ConsumerGroupCoordinator consumerGroupCoordinator;
    private final TransactionCoordinator transactionCoordinator;
    private final MarkerWriter markerWriter;
    private final FetchSessions fetchSessions;
    private final FetchPurgatory fetchPurgatory;
    private final CoordinatorTopics coordinatorTopics;
    private final RemoteCoordinators remoteCoordinators;
    private volatile IsrExpansion isrExpansion = (topic, partition, leader, replicaId) -> {};
    private volatile LeaderThrottle leaderThrottle = LeaderThrottle.NONE;
    private volatile String advertisedHost;
    private volatile int advertisedPort;

    public BrokerContext(
            BrokerConfig config,
            String clusterId,
            Controller controller,
            LogManager logManager,
            GroupCoordinator groupCoordinator,
            GroupOffsets groupOffsets,
            ConsumerGroupCoordinator consumerGroupCoordinator,
            TransactionCoordinator transactionCoordinator,
            MarkerWriter markerWriter,
            CoordinatorTopics coordinatorTopics,
            RemoteCoordinators remoteCoordinators) {
        this.config = config;
        this.coordinatorTopics = coordinatorTopics;
        this.remoteCoordinators = remoteCoordinators;
        this.transactionCoordinator = transactionCoordinator;
        this.markerWriter = markerWriter;
        this.consumerGroupCoordinator = consumerGroupCoordinator;
        this.groupCoordinator = groupCoordinator;
        this.groupOffsets = groupOffsets;
        this.clusterId = clusterId;
        this.controller = controller;
        this.logManager = logManager;
        // Session ids are only hard to guess, not secret (Kafka's are random too): a client that guessed another's
        // could only make it start a new session.
        this.fetchSessions = new FetchSessions(
                new FetchSessionCache(
                        config.maxIncrementalFetchSessionCacheSlots(),
                        config.minIncrementalFetchSessionEvictionMs(),
                        new SecureRandom()),
                System::currentTimeMillis);
        this.fetchPurgatory =
                new FetchPurgatory(config.fetchPurgatoryMaxRequests(), config.fetchPurgatoryMaxRequestsPerPartition());
    }

    /** The internal topics whose partition leaders coordinate groups and transactions. */
    public CoordinatorTopics coordinatorTopics() {
        return coordinatorTopics;
    }

    /** The transaction coordinators of other nodes, which this node's partitions verify transactions with. */
    public RemoteCoordinators remoteCoordinators() {
        return remoteCoordinators;
    }

    /**
     * Followers' fetches tell {@code expansion} (a cluster's replica manager) when they caught up out of the ISR; set
     * before the dispatcher is made. Without it (a single node) there are no followers.
     */
    public void setIsrExpansion(IsrExpansion expansion) {
        this.isrExpansion = expansion;
    }

    IsrExpansion isrExpansion() {
        return isrExpansion;
    }

    /** The leader's side of a cluster's replication throttle; set before the dispatcher is made. */
    public void setLeaderThrottle(LeaderThrottle throttle) {
        this.leaderThrottle = throttle;
    }

    LeaderThrottle leaderThrottle() {
        return leaderThrottle;
    }

    /** Told when a follower's fetch shows it caught up while out of the ISR: propose it back (off the event loop). */
    @FunctionalInterface
    public interface IsrExpansion {
        void maybeExpand(String topic, int partition, io.piste.broker.partition.Partition leader, int replicaId);
    }

    /** Set once the listener is bound, before any client can know the port. */
    public void setAdvertisedAddress(String host, int port) {
        this.advertisedHost = host;
        this.advertisedPort = port;
    }

    public BrokerConfig config() {
        return config;
    }

    public String clusterId() {
        return clusterId;
    }

    public Controller controller() {
        return controller;
    }

    public LogManager logManager() {
        return logManager;
    }

    public GroupCoordinator groupCoordinator() {
        return groupCoordinator;
    }

    /** The coordinator of KIP-848 consumer groups; classic groups are {@link #groupCoordinator()}'s. */
    public ConsumerGroupCoordinator consumerGroupCoordinator() {
        return consumerGroupCoordinator;
    }

    /** The broker's fetch sessions (KIP-227); they live as long as the broker process. */
    public FetchSessions fetchSessions() {
        return fetchSessions;
    }

    FetchPurgatory fetchPurgatory() {
        return fetchPurgatory;
    }

    /** How many fetches are parked waiting for data now, for monitoring. */
    public int parkedFetchCount() {
        return fetchPurgatory.parkedCount();
    }

    public TransactionCoordinator transactionCoordinator() {
        return transactionCoordinator;
    }

    /** Writes transaction markers into the partitions (the coordinator's and WriteTxnMarkers' one path). */
    public MarkerWriter markerWriter() {
        return markerWriter;
    }

    public GroupOffsets groupOffsets() {
        return groupOffsets;
    }

    public String advertisedHost() {
        return advertisedHost;
    }

    public int advertisedPort() {
        return advertisedPort;
    }

    public int nodeId() {
        return config.nodeId();
    }
}
