package io.piste.cluster.quorum;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.MetadataRecordCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.LogInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's member of the metadata quorum: a Ratis server in the one group of the voters, and a client that
 * proposes changes to whichever node leads. Every voter applies the committed changes to its own image
 * ({@link MetadataStateMachine}). Nodes started with the same voters form the group with no format step: the group
 * id is fixed, and a node whose storage is empty starts a fresh log (Ratis' RECOVER start-up). A broker-only node
 * ({@code process.roles=broker}, not among the voters) runs no Ratis server: it fetches the applied changes from the
 * leader ({@link MetadataObserver}) and proposes through the same client.
 */
public final class MetadataQuorum implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataQuorum.class);

    /** The one metadata group: the same on every node and across restarts, whatever the voters' addresses. */
    static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("piste-metadata-quorum".getBytes(StandardCharsets.UTF_8)));

    /** A fetch that asks for nothing, sent by no broker: its reply's index is what the leader has applied. */
    private static final Message APPLIED_INDEX_READ =
            MetadataFetch.request(new MetadataFetch.Request(-1, Long.MAX_VALUE, 0));

    private static final TimeDuration CLIENT_RETRY_SLEEP = TimeDuration.valueOf(100, TimeUnit.MILLISECONDS);

    private final QuorumSettings settings;
    /** A voter's; null on a broker-only node. */
    private final RaftServer server;

    private final MetadataStateMachine stateMachine;
    /** A broker-only node's; null on a voter. */
    private final MetadataObserver observer;
    /** The state machine or the observer. */
    private final AppliedImage applied;
    /** Replaced when Ratis closed it for good (see {@link #renewClientIfClosed}). */
    private volatile RaftClient client;

    private volatile boolean closed;

    private MetadataQuorum(
            QuorumSettings settings, RaftServer server, MetadataStateMachine stateMachine, MetadataObserver observer) {
        this.settings = settings;
        this.server = server;
        this.stateMachine = stateMachine;
        this.observer = observer;
        this.applied = server != null ? stateMachine : observer;
        this.client = newClient(settings);
    }

    /**
     * Starts this node's member: loads its latest snapshot and log, then joins the group. Returns without waiting
     * for a leader. {@code onApplied} hears each change, as the images before and after it, on Ratis' apply thread
     * (a loaded snapshot is a change too). A broker-only node starts fetching instead, and hears each change on its
     * fetching thread.
     */
    public static MetadataQuorum start(QuorumSettings settings, BiConsumer<MetadataImage, MetadataImage> onApplied)
            throws IOException {
        if (!settings.isVoter()) {
            return new MetadataQuorum(settings, null, null, MetadataObserver.start(settings, onApplied));
        }
        RaftGroup group = group(settings.voters());
        MetadataStateMachine stateMachine = new MetadataStateMachine(onApplied, MetadataObserver.fetchWaitMs(settings));
        RaftServer server = RaftServer.newBuilder()
                .setServerId(peerId(settings.nodeId()))
                .setGroup(group)
                .setProperties(serverProperties(settings))
                .setStateMachine(stateMachine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        try {
            server.start();
            return new MetadataQuorum(settings, server, stateMachine, null);
        } catch (IOException | RuntimeException e) {
            try {
                server.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    static RaftClient newClient(QuorumSettings settings) {
        long attempts =
                Math.max(1, settings.requestTimeout().toMillis() / CLIENT_RETRY_SLEEP.toLong(TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder()
                .setRaftGroup(group(settings.voters()))
                .setProperties(clientProperties(settings))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep((int) attempts, CLIENT_RETRY_SLEEP))
                .build();
    }

    /**
     * Ratis' client closes its ordered stream for good once a request ran out of retries (a proposal made while no
     * leader was elected for longer than the retries last), and every later proposal then fails at once with
     * {@link AlreadyClosedException}: this node could never change metadata again. Such a client is replaced by a
     * new one; the proposals then failing on the closed client fail to their callers, which ask again.
     */
    private void renewClientIfClosed(RaftClient used, Throwable failure) {
        if (!closesClient(failure)) {
            return;
        }
        synchronized (this) {
            if (client == used && !closed) {
                client = newClient(settings);
                try {
                    used.close();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Closing the replaced quorum client failed: {}", e.toString());
                }
                LOG.info("Replaced this node's metadata quorum client after {}", failure.toString());
            }
        }
    }

    /** Whether Ratis closed the client that failed so (see {@link #renewClientIfClosed}). */
    static boolean closesClient(Throwable failure) {
        return failure instanceof AlreadyClosedException || failure instanceof RaftRetryFailureException;
    }

    /** The voters of {@code controller.quorum.voters}. */
    public List<QuorumVoter> voters() {
        return settings.voters();
    }

    /** The image of every change this node has applied. */
    public MetadataImage image() {
        return applied.image();
    }

    /**
     * Proposes a change (applied whole or not at all) and waits until it is committed and applied here, so that
     * {@link #image()} holds it on return, or, if it was refused, what it conflicted with.
     *
     * @return the image right after this node applied the change
     * @throws org.apache.kafka.common.errors.ApiException Kafka's error if the change no longer fits the image
     *     (such as {@code TopicExistsException}), or {@link TimeoutException} if it did not commit within twice
     *     {@code controller.quorum.request.timeout.ms} (it may still commit later)
     */
    public MetadataImage propose(List<MetadataRecord> change) throws IOException, InterruptedException {
        return propose(change, 0);
    }

    /**
     * As {@link #propose(List)}, waiting up to {@code timeoutMs} if that is longer than twice {@code
     * controller.quorum.request.timeout.ms}: applying a change may take long (a topic of thousands of partitions has
     * their logs created on every replica).
     */
    public MetadataImage propose(List<MetadataRecord> change, long timeoutMs) throws IOException, InterruptedException {
        if (change.isEmpty() || change.size() > MetadataRecordCodec.MAX_CHANGE_RECORDS) {
            throw new IllegalArgumentException(
                    "a change holds 1.." + MetadataRecordCodec.MAX_CHANGE_RECORDS + " records, not " + change.size());
        }
        long waitMs = Math.max(timeoutMs, 2 * settings.requestTimeout().toMillis());
        long started = System.nanoTime();
        Message message = Message.valueOf(ByteString.copyFrom(MetadataRecordCodec.encode(change)));
        RaftClientReply reply;
        RaftClient used = client;
        try {
            reply = used.async().send(message).get(waitMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException("The metadata quorum did not commit the change within " + waitMs + " ms");
        } catch (ExecutionException e) {
            // Not sent again here, even if the client was closed: a request in flight when it closed may have
            // committed, and a new client's copy would not be recognised as the same. The caller asks again.
            renewClientIfClosed(used, e.getCause());
            throw new IOException("The metadata quorum did not take the change: " + e.getCause(), e.getCause());
        }
        if (!reply.isSuccess()) {
            throw new IOException("The metadata quorum did not take the change", reply.getException());
        }
        // Accepted or refused, the entry is in the log: once this node applied it, its image shows the change or
        // what the change conflicted with.
        long leftMs = waitMs - (System.nanoTime() - started) / 1_000_000;
        if (!applied.awaitApplied(reply.getLogIndex(), Math.max(leftMs, 1))) {
            throw new TimeoutException("The change committed at index " + reply.getLogIndex()
                    + " but this node had not applied it within " + waitMs + " ms");
        }
        ChangeReply.fromMessage(reply.getMessage()).throwIfError();
        return applied.image();
    }

    /**
     * Waits until this node has applied everything the quorum had committed when it asked (a linearizable read:
     * Ratis' ReadIndex through the leader), so that {@link #image()} is then at least as new as any change whose
     * proposal returned anywhere before. A node checks a change against its image after this. A broker-only node
     * reads the leader's applied index so, then waits until its fetches brought it that far.
     *
     * @throws TimeoutException if that took more than twice {@code controller.quorum.request.timeout.ms}
     */
    public MetadataImage latestImage() throws IOException, InterruptedException {
        long timeoutMs = 2 * settings.requestTimeout().toMillis();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            Throwable failure;
            RaftClient used = client;
            try {
                // Unordered: on the client's ordered stream, a read served by a follower held up the proposals
                // after it until they timed out (seen in BrokerLivenessTest with Ratis 3.2.1).
                RaftClientReply reply = used.async()
                        .sendReadOnlyUnordered(
                                server == null ? APPLIED_INDEX_READ : Message.valueOf("catch up"),
                                server == null ? null : peerId(settings.nodeId()))
                        .get(Math.max(leftMs, 1), TimeUnit.MILLISECONDS);
                if (reply.isSuccess() && server == null) {
                    long index = MetadataFetch.parseReply(reply.getMessage()).index();
                    leftMs = (deadline - System.nanoTime()) / 1_000_000;
                    if (applied.awaitApplied(index, Math.max(leftMs, 1))) {
                        return applied.image();
                    }
                    failure = new TimeoutException("the quorum's index " + index + " was not fetched here");
                } else if (reply.isSuccess()) {
                    return applied.image();
                } else {
                    failure = reply.getException();
                }
            } catch (java.util.concurrent.TimeoutException e) {
                failure = e;
            } catch (ExecutionException e) {
                failure = e.getCause();
                renewClientIfClosed(used, failure);
            }
            // A node that just started, or lost its leader, knows of none for a moment: ask again until the deadline.
            if (System.nanoTime() + CLIENT_RETRY_SLEEP.toLong(TimeUnit.NANOSECONDS) > deadline) {
                throw new TimeoutException(
                        "This node did not catch up with the metadata quorum within " + timeoutMs + " ms: " + failure);
            }
            Thread.sleep(CLIENT_RETRY_SLEEP.toLong(TimeUnit.MILLISECONDS));
        }
    }

    /** Whether this node's member leads the quorum now (what {@link #status()} says, without its follower lists). */
    public boolean isLeader() throws IOException {
        return server != null && server.getDivision(GROUP_ID).getInfo().isLeader();
    }

    /**
     * The quorum as this node sees it now. The leader's also has the broker-only nodes it feeds, as followers: the
     * index each had applied at its last fetch and the time since (its heartbeat). A broker-only node knows only
     * the leader that last answered it, and its own applied index.
     */
    public QuorumStatus status() throws IOException {
        if (server == null) {
            long index = observer.appliedIndex();
            return new QuorumStatus(settings.nodeId(), observer.leaderId(), -1, index, index, Map.of(), Map.of());
        }
        RaftServer.Division division = server.getDivision(GROUP_ID);
        DivisionInfo info = division.getInfo();
        RaftPeerId leader = info.getLeaderId();
        Map<Integer, Long> matchIndex = new HashMap<>();
        Map<Integer, Long> lastContactMs = new HashMap<>();
        if (info.isLeader()) {
            // The leader's follower list and match indices come in the same order, that of its log appenders.
            RoleInfoProto role = info.getRoleInfoProto();
            List<ServerRpcProto> followers =
                    new ArrayList<>(role.getLeaderInfo().getFollowerInfoList());
            long[] indices = info.getFollowerMatchIndices(); // null until the new leader's appenders start
            for (int i = 0; i < followers.size(); i++) {
                int follower =
                        nodeId(RaftPeerId.valueOf(followers.get(i).getId().getId()));
                lastContactMs.put(follower, followers.get(i).getLastRpcElapsedTimeMs());
                if (indices != null && i < indices.length) {
                    matchIndex.put(follower, indices[i]);
                }
            }
            addObservers(stateMachine.feed().contacts(), matchIndex, lastContactMs);
        }
        return new QuorumStatus(
                settings.nodeId(),
                leader == null ? -1 : nodeId(leader),
                info.getCurrentTerm(),
                division.getRaftLog().getLastCommittedIndex(),
                info.getLastAppliedIndex(),
                matchIndex,
                lastContactMs);
    }

    /**
     * The quorum as its leader sees it: {@link #status()} if this node leads (or knows no leader), else the leader's
     * own, asked over Ratis' group info, as Kafka's brokers forward DescribeQuorum to the active controller. From
     * the leader: its followers' commit indexes (for their replicated ends) and last answers, and the broker-only
     * nodes it feeds. This node's own status if the leader does not answer. Blocks up to the client's request timeout:
     * not for an event loop.
     */
    public QuorumStatus leaderStatus() throws IOException {
        QuorumStatus local = status();
        int leader = local.leaderId();
        if (leader < 0 || leader == local.nodeId()) {
            return local;
        }
        GroupInfoReply reply;
        try {
            reply = client.getGroupManagementApi(peerId(leader)).info(GROUP_ID);
        } catch (IOException e) {
            LOG.debug("The quorum leader {} did not describe itself: {}", leader, e.toString());
            return local;
        }
        if (reply == null || !reply.isSuccess() || !reply.getRoleInfoProto().hasLeaderInfo()) {
            return local;
        }
        Map<Integer, Long> replicated = new HashMap<>();
        for (CommitInfoProto commit : reply.getCommitInfos()) {
            int id = nodeId(RaftPeerId.valueOf(commit.getServer().getId()));
            if (id != leader) {
                replicated.put(id, commit.getCommitIndex());
            }
        }
        Map<Integer, Long> lastContactMs = new HashMap<>();
        for (ServerRpcProto follower : reply.getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
            lastContactMs.put(nodeId(RaftPeerId.valueOf(follower.getId().getId())), follower.getLastRpcElapsedTimeMs());
        }
        addObservers(observersOf(leader), replicated, lastContactMs);
        LogInfoProto log = reply.getLogInfoProto();
        return new QuorumStatus(
                leader,
                leader,
                reply.getRoleInfoProto().getLeaderInfo().getTerm(),
                log.getCommitted().getIndex(),
                log.getApplied().getIndex(),
                replicated,
                lastContactMs);
    }

    /** The broker-only nodes {@code leader} feeds, or none if it does not answer within the request timeout. */
    private Map<Integer, ObserverFeed.Contact> observersOf(int leader) {
        try {
            RaftClientReply reply = client.async()
                    .sendReadOnlyUnordered(MetadataFetch.OBSERVERS_READ, peerId(leader))
                    .get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (reply.isSuccess()) {
                return MetadataFetch.parseObservers(reply.getMessage(), System.currentTimeMillis());
            }
            LOG.debug("The quorum leader {} did not list its observers: {}", leader, reply.getException());
        } catch (ExecutionException | java.util.concurrent.TimeoutException | IllegalArgumentException e) {
            LOG.debug("The quorum leader {} did not list its observers: {}", leader, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Map.of();
    }

    /** Broker-only nodes as followers of the log: how far each had applied, and the time since its last fetch. */
    private static void addObservers(
            Map<Integer, ObserverFeed.Contact> contacts,
            Map<Integer, Long> matchIndex,
            Map<Integer, Long> lastContactMs) {
        long now = System.currentTimeMillis();
        contacts.forEach((node, contact) -> {
            if (!matchIndex.containsKey(node)) {
                matchIndex.put(node, contact.appliedIndex());
                lastContactMs.put(node, Math.max(0, now - contact.atMs()));
            }
        });
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
        }
        try {
            client.close();
        } finally {
            if (server != null) {
                server.close();
            } else {
                observer.close();
            }
        }
    }

    static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    static int nodeId(RaftPeerId peer) {
        return Integer.parseInt(peer.toString());
    }

    private static RaftGroup group(List<QuorumVoter> voters) {
        List<RaftPeer> peers = new ArrayList<>();
        for (QuorumVoter voter : voters) {
            peers.add(RaftPeer.newBuilder()
                    .setId(peerId(voter.id()))
                    .setAddress(voter.address())
                    .build());
        }
        return RaftGroup.valueOf(GROUP_ID, peers);
    }

    private static RaftProperties serverProperties(QuorumSettings settings) {
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(settings.dir().toFile()));
        if (settings.listener().host() != null) {
            GrpcConfigKeys.Server.setHost(properties, settings.listener().host());
        }
        GrpcConfigKeys.Server.setPort(properties, settings.listener().port());
        long election = settings.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(election, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2 * election, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(
                properties, TimeDuration.valueOf(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
        // A read-only request served here waits until this node applied what the leader had committed.
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setTimeout(
                properties, TimeDuration.valueOf(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, settings.snapshotEveryEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        // The log before a snapshot is no longer needed: a follower that far behind gets the snapshot itself.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgeGap(properties, (int) Math.min(settings.snapshotEveryEntries(), 1024));
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(settings.segmentBytes()));
        return properties;
    }

    private static RaftProperties clientProperties(QuorumSettings settings) {
        RaftProperties properties = new RaftProperties();
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(
                properties, TimeDuration.valueOf(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
        return properties;
    }
}
