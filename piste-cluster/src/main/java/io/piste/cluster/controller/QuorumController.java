package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.MetadataChangeCheck;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.PartitionReassignment;
import io.piste.broker.metadata.QuorumDescription;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.MetadataQuorum;
import io.piste.cluster.quorum.QuorumSettings;
import io.piste.cluster.quorum.QuorumVoter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.DuplicateBrokerRegistrationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.StaleBrokerEpochException;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's controller in a cluster: checks a change against this node's image (for the client's error without a
 * round trip), proposes it to the {@link MetadataQuorum}, which checks it again where it is applied, identically on
 * every node. Every node's listener hears of every applied change, whichever node proposed it, as the difference
 * between the images before and after, on the node's publishing thread ({@link ChangePublisher}), not the applying
 * one; a listener that fails is logged and does not undo the change elsewhere (the node's partitions report the
 * failure, as after a failed disk).
 */
public final class QuorumController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumController.class);

    /** As the single node's: ids are reserved through the quorum a block at a time. */
    static final long PRODUCER_ID_BLOCK_SIZE = 1000;

    /** A block proposed against an image another node's block has since moved is proposed again, this often. */
    private static final int PRODUCER_ID_ATTEMPTS = 10;

    /** Brokers register again when their registration was refused as made against an older image, this often. */
    private static final int REGISTRATION_ATTEMPTS = 10;

    /** How often a broker that cannot register yet says so. */
    private static final long WAIT_LOG_MS = 10_000;

    private static final long RETRY_SLEEP_MS = 100;

    private final MetadataQuorum quorum;
    private final int nodeId;
    /** This process's registrations: a new one at each start, so another process with the same id is told apart. */
    private final Uuid incarnation = Uuid.randomUuid();

    private volatile long brokerEpoch = -1;
    /** Set by {@link #close}: a registration under way stops trying. */
    private volatile boolean closed;

    /** Set once this node serves (it asked to be unfenced), cleared when it stops. */
    private volatile boolean serving;

    private BrokerLiveness liveness;
    private LeaderElections elections;
    private LeaderRebalance rebalance;
    private final ChangePublisher publisher;

    private final String clusterId;
    private final Object producerIds = new Object();
    private long nextProducerId;
    private long producerIdBlockEnd;

    private QuorumController(MetadataQuorum quorum, int nodeId, List<QuorumVoter> voters) {
        this.quorum = quorum;
        this.nodeId = nodeId;
        this.clusterId = clusterIdOf(voters);
        this.publisher = new ChangePublisher(nodeId);
    }

    /**
     * The cluster's id, the same on every node with no format step: derived from the voters (ids and addresses, in id
     * order), which every node of one cluster has alike. Two clusters whose voters are written alike (both on
     * {@code localhost}, say) share it, as two Kafka clusters formatted with the same id would.
     */
    static String clusterIdOf(List<QuorumVoter> voters) {
        StringBuilder text = new StringBuilder("piste-cluster");
        voters.stream()
                .sorted(Comparator.comparingInt(QuorumVoter::id))
                .forEach(v -> text.append(',').append(v.id()).append('@').append(v.address()));
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            ByteBuffer bits = ByteBuffer.wrap(hash);
            return new Uuid(bits.getLong(), bits.getLong()).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** With Kafka's default broker session timeout and heartbeat interval. */
    public static QuorumController start(QuorumSettings settings) throws IOException {
        return start(settings, LivenessSettings.DEFAULTS);
    }

    /**
     * Starts this node's member of the quorum and the fencing of silent brokers ({@link BrokerLiveness}); the
     * listener is told of changes applied once it is set.
     */
    public static QuorumController start(QuorumSettings settings, LivenessSettings liveness) throws IOException {
        return start(settings, liveness, ElectionSettings.DEFAULTS);
    }

    /** Also starts the automatic preferred leader rebalance ({@link LeaderRebalance}) if enabled. */
    public static QuorumController start(QuorumSettings settings, LivenessSettings liveness, ElectionSettings elections)
            throws IOException {
        QuorumController[] self = new QuorumController[1];
        MetadataQuorum quorum = MetadataQuorum.start(settings, (before, after) -> {
            QuorumController controller = self[0];
            if (controller != null) {
                controller.publisher.applied(before, after);
            }
        });
        QuorumController controller = new QuorumController(quorum, settings.nodeId(), settings.voters());
        controller.liveness = new BrokerLiveness(controller, quorum, liveness, elections);
        controller.elections = new LeaderElections(quorum);
        controller.rebalance = new LeaderRebalance(quorum, controller.elections, elections);
        self[0] = controller;
        return controller;
    }

    /**
     * Registers this node as a broker, fenced, with an epoch above any it had: returns the epoch.
     *
     * @throws org.apache.kafka.common.errors.DuplicateBrokerRegistrationException if another process registered
     *     with this node id and still serves
     */
    public long registerBroker(String rack, List<BrokerEndpoint> endpoints) throws IOException {
        for (int attempt = 1; ; attempt++) {
            BrokerImage current = latest().broker(nodeId);
            long epoch = current == null ? 1 : current.epoch() + 1;
            try {
                propose(List.of(new MetadataRecord.BrokerRegistration(nodeId, epoch, incarnation, rack, endpoints)));
                brokerEpoch = epoch;
                return epoch;
            } catch (StaleBrokerEpochException registeredMeanwhile) {
                if (attempt == REGISTRATION_ATTEMPTS) {
                    throw registeredMeanwhile;
                }
            }
        }
    }

    /** This node serves: it is unfenced now, and again whenever it finds itself fenced while it still serves. */
    public void unfence() throws IOException {
        serving = true;
        unfenceIfServing();
    }

    /** This node stops serving (Kafka's controlled shutdown): it fences itself so that no client is sent to it. */
    public void fenceSelf() throws IOException {
        serving = false;
        long epoch = brokerEpoch;
        if (epoch > 0) {
            propose(List.of(new MetadataRecord.BrokerFencing(nodeId, epoch, true)));
        }
    }

    /** This node's broker epoch, or -1 before it registered. */
    @Override
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /** Called by {@link BrokerLiveness} on each of its rounds, and by {@link #unfence()}. */
    void unfenceIfServing() throws IOException {
        long epoch = brokerEpoch;
        BrokerImage mine = image().broker(nodeId);
        if (!serving || epoch < 0 || mine == null || !mine.fenced()) {
            return;
        }
        if (mine.epoch() != epoch) {
            LOG.error(
                    "Broker {} is registered with epoch {} by another process (incarnation {}); this one (epoch {}) "
                            + "stops asking to serve",
                    nodeId,
                    mine.epoch(),
                    mine.incarnation(),
                    epoch);
            serving = false;
            return;
        }
        propose(List.of(new MetadataRecord.BrokerFencing(nodeId, epoch, false)));
    }

    public MetadataQuorum quorum() {
        return quorum;
    }

    @Override
    public MetadataImage image() {
        return quorum.image();
    }

    /** Changes are told on the node's publishing thread ({@link ChangePublisher}), in the order applied. */
    @Override
    public void setListener(MetadataListener listener) {
        publisher.setListener(listener);
    }

    /**
     * The changes applied since {@code known} are told at once, on the caller's thread, and before any later one;
     * none is told twice.
     */
    @Override
    public void setListener(MetadataListener listener, MetadataImage known) {
        publisher.setListener(listener, known, image());
    }

    /**
     * Brokers register, then ask to be unfenced: from then on clients are sent to them and they lead. As Kafka's
     * broker, this one keeps trying (logging every {@link #WAIT_LOG_MS} ms) while the quorum cannot take the change
     * (between two leaders, or without a majority), until it is stopped.
     *
     * @throws IOException once this controller is closed
     */
    @Override
    public void startServing(String rack, List<BrokerEndpoint> endpoints) throws IOException {
        long started = System.nanoTime();
        long lastLog = started;
        while (true) {
            throwIfClosed();
            try {
                long epoch = registerBroker(rack, endpoints);
                long registered = System.nanoTime();
                unfence();
                LOG.info(
                        "Registered as broker {} (epoch {}) in {} ms, unfenced in {} ms",
                        nodeId,
                        epoch,
                        (registered - started) / 1_000_000,
                        (System.nanoTime() - registered) / 1_000_000);
                return;
            } catch (DuplicateBrokerRegistrationException previousProcess) {
                fencePreviousProcess();
            } catch (InterruptedIOException stop) {
                throw stop;
            } catch (RetriableException | IOException e) {
                if (System.nanoTime() - lastLog >= WAIT_LOG_MS * 1_000_000) {
                    lastLog = System.nanoTime();
                    LOG.warn("Broker {} could not register yet; it tries again: {}", nodeId, e.toString());
                }
                sleepBeforeRetry();
            }
        }
    }

    /**
     * The registration still serving under this node id is this node's previous process, stopped without a clean
     * shutdown before its session expired (a quick restart after a kill): no other process can be the quorum's voter
     * {@code nodeId} at the same time as this one, and that voter's answers keep the old registration alive (a
     * broker-only node's id is its own too: two processes given one id are a misconfiguration Kafka refuses alike).
     * Fenced here as its session's expiry would have; the active controller then moves its partitions to new leader
     * epochs (or none), and only then does this process register, so that it never leads at its predecessor's epochs.
     */
    private void fencePreviousProcess() throws IOException {
        BrokerImage previous = latest().broker(nodeId);
        if (previous == null || previous.fenced()) {
            return;
        }
        LOG.warn(
                "Broker {}'s previous process (incarnation {}, epoch {}) stopped without a clean shutdown and its "
                        + "session has not expired: fencing it before this process registers",
                nodeId,
                previous.incarnation(),
                previous.epoch());
        propose(List.of(new MetadataRecord.BrokerFencing(nodeId, previous.epoch(), true)));
        while (ledHere(image())) {
            throwIfClosed();
            sleepBeforeRetry();
        }
    }

    private void throwIfClosed() throws IOException {
        if (closed) {
            throw new IOException("Broker " + nodeId + "'s controller closed before it could register");
        }
    }

    /** Whether a partition in {@code image} still names this node its leader. */
    private boolean ledHere(MetadataImage image) {
        for (TopicImage topic : image.topics()) {
            for (PartitionImage partition : image.partitions(topic.topicId())) {
                if (partition.leader() == nodeId) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void sleepBeforeRetry() throws InterruptedIOException {
        try {
            Thread.sleep(RETRY_SLEEP_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while registering");
        }
    }

    @Override
    public void stopServing() throws IOException {
        fenceSelf();
    }

    /** The quorum's leader is the active controller: the node that fences brokers and elects leaders. */
    @Override
    public boolean isActive() {
        try {
            return quorum.isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public void validateNewTopic(String name, int partitionCount) {
        MetadataChangeCheck.checkNewTopic(image(), name, partitionCount);
    }

    /**
     * This node's image once it has applied all that was committed: a change is made against it, so that a change
     * made through another node just before is seen (the quorum would refuse a stale change anyway, but with a
     * wrong error for the client, such as an unknown topic that was just created).
     */
    private MetadataImage latest() throws IOException {
        try {
            return quorum.latestImage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while catching up with the metadata quorum");
        }
    }

    /** With one replica per partition. */
    @Override
    public TopicImage createTopic(String name, int partitionCount, Map<String, String> configs) throws IOException {
        return createTopic(name, partitionCount, 1, configs);
    }

    /**
     * Creates the topic with its partitions placed on the serving brokers ({@link ReplicaPlacement}), in one change.
     *
     * @throws org.apache.kafka.common.errors.InvalidReplicationFactorException if fewer brokers serve than
     *     {@code replicationFactor}
     */
    @Override
    public TopicImage createTopic(String name, int partitionCount, int replicationFactor, Map<String, String> configs)
            throws IOException {
        return createTopic(name, partitionCount, replicationFactor, configs, 0);
    }

    @Override
    public TopicImage createTopic(
            String name, int partitionCount, int replicationFactor, Map<String, String> configs, long timeoutMs)
            throws IOException {
        MetadataImage current = latest();
        MetadataChangeCheck.checkNewTopic(current, name, partitionCount);
        List<List<Integer>> replicas = ReplicaPlacement.place(current, partitionCount, replicationFactor);
        Uuid id = Uuid.randomUuid();
        List<MetadataRecord> change = new ArrayList<>();
        change.add(new MetadataRecord.Topic(name, id, partitionCount));
        if (!configs.isEmpty()) {
            change.add(new MetadataRecord.TopicConfig(id, new TreeMap<>(configs)));
        }
        change.add(new MetadataRecord.Assignment(id, 0, replicas));
        return propose(change, timeoutMs).topic(id);
    }

    /**
     * As Kafka's AlterPartition: an ISR change that brings every target replica of a reassignment in sync completes
     * the reassignment in the same change ({@link ReassignmentStates}).
     */
    @Override
    public void changePartition(Uuid topicId, int partition, PartitionImage next) throws IOException {
        PartitionImage completed = ReassignmentStates.withCompletion(next, image());
        propose(List.of(new MetadataRecord.PartitionState(topicId, partition, completed)));
    }

    @Override
    public List<ApiError> alterPartitionReassignments(
            List<PartitionReassignment> reassignments, boolean allowReplicationFactorChange) throws IOException {
        PartitionReassignments.Quorum through = new PartitionReassignments.Quorum() {
            @Override
            public MetadataImage latest() throws IOException {
                return QuorumController.this.latest();
            }

            @Override
            public MetadataImage propose(List<MetadataRecord> change) throws IOException {
                return QuorumController.this.propose(change);
            }
        };
        return new PartitionReassignments(through).alter(reassignments, allowReplicationFactorChange);
    }

    @Override
    public Map<TopicPartition, ApiError> electLeaders(ElectionType type, Set<TopicPartition> partitions, long timeoutMs)
            throws IOException {
        try {
            return elections.elect(type, partitions, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while electing leaders");
        }
    }

    @Override
    public void deleteTopic(Uuid topicId) throws IOException {
        MetadataChangeCheck.existing(latest(), topicId);
        propose(List.of(new MetadataRecord.RemoveTopic(topicId)));
    }

    @Override
    public void createPartitions(String name, int newCount, boolean validateOnly) throws IOException {
        createPartitions(name, newCount, validateOnly, 0);
    }

    @Override
    public void createPartitions(String name, int newCount, boolean validateOnly, long timeoutMs) throws IOException {
        MetadataImage current = latest();
        TopicImage topic = MetadataChangeCheck.existing(current, name);
        MetadataChangeCheck.checkNewPartitionCount(topic, newCount);
        // The new partitions get as many replicas as the first one has.
        List<PartitionImage> assigned = current.partitions(topic.topicId());
        int replicationFactor =
                assigned.isEmpty() ? 1 : assigned.get(0).replicas().size();
        List<List<Integer>> replicas =
                ReplicaPlacement.place(current, newCount - topic.partitionCount(), replicationFactor);
        if (!validateOnly) {
            propose(
                    List.of(
                            new MetadataRecord.PartitionCount(topic.topicId(), newCount),
                            new MetadataRecord.Assignment(topic.topicId(), topic.partitionCount(), replicas)),
                    timeoutMs);
        }
    }

    @Override
    public void replaceTopicConfigs(String name, Map<String, String> configs) throws IOException {
        TopicImage topic = MetadataChangeCheck.existing(latest(), name);
        propose(List.of(new MetadataRecord.TopicConfig(topic.topicId(), new TreeMap<>(configs))));
    }

    @Override
    public void replaceBrokerConfigs(String scope, Map<String, String> configs) throws IOException {
        propose(List.of(new MetadataRecord.BrokerConfigs(scope, new TreeMap<>(configs))));
    }

    /**
     * From a block this node reserved. Every node proposes the image's block end plus one block, and the quorum
     * takes only an end above the reserved one: a proposal made against an older image is refused and made again,
     * so blocks never overlap.
     */
    @Override
    public long nextProducerId() throws IOException {
        synchronized (producerIds) {
            for (int attempt = 1; nextProducerId >= producerIdBlockEnd; attempt++) {
                long start = latest().producerIdBlockEnd();
                try {
                    propose(List.of(new MetadataRecord.ProducerIds(start + PRODUCER_ID_BLOCK_SIZE)));
                    nextProducerId = start;
                    producerIdBlockEnd = start + PRODUCER_ID_BLOCK_SIZE;
                } catch (InvalidRequestException reservedMeanwhile) {
                    if (attempt == PRODUCER_ID_ATTEMPTS) {
                        throw new IOException(
                                "No producer id block reserved after " + attempt + " attempts", reservedMeanwhile);
                    }
                }
            }
            return nextProducerId++;
        }
    }

    /**
     * As the quorum's leader sees it (asked by another node, as Kafka's brokers forward DescribeQuorum to the active
     * controller): every voter's replicated index and last answer. If the leader cannot be asked, this node's own
     * view: the leader, epoch and commit it knows, and its own state only. Raft indexes stand for offsets.
     */
    @Override
    public QuorumDescription describeQuorum() throws IOException {
        return QuorumDescriptions.of(quorum.leaderStatus(), quorum.voters(), System.currentTimeMillis());
    }

    private MetadataImage propose(List<MetadataRecord> change) throws IOException {
        return propose(change, 0);
    }

    /** Waits up to {@code timeoutMs}, or the quorum's own bound if that is longer. */
    private MetadataImage propose(List<MetadataRecord> change, long timeoutMs) throws IOException {
        try {
            return quorum.propose(change, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while the metadata quorum took a change");
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        publisher.close();
        rebalance.close();
        liveness.close();
        quorum.close();
    }
}
