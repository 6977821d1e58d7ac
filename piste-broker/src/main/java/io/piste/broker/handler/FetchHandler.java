package io.piste.broker.handler;

import io.piste.broker.fetchsession.FetchContext;
import io.piste.broker.fetchsession.FetchSessions;
import io.piste.broker.fetchsession.PartitionFetch;
import io.piste.broker.partition.FetchIsolation;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import io.piste.broker.replication.LeaderThrottle;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.replica.ClientMetadata;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch: reads whole batches up to the bound of the request's isolation level (the high watermark; for
 * read_committed the last stable offset, with the aborted transactions of the records read) as file slices
 * (sent with sendfile), within the request's and each partition's byte limits ({@link FetchReader}). A fetch that
 * finds fewer than {@code min.bytes} waits up to {@code max.wait.ms} for produce to bring more
 * ({@link DelayedFetch}), if the {@link FetchPurgatory} has room (broker-wide and on each of its partitions); if
 * not, it is answered at once with a throttle time of {@code max.wait.ms}, and its connection reads nothing more
 * for that time (at most {@link #MAX_MUTE_MS}).
 *
 * <p>A fetch naming a replica id is a follower's ({@link FollowerFetches}): it reads to the log end of the partitions
 * it follows here, is told where its log diverges from the leader's, and its fetch offsets move the high watermark.
 *
 * <p>A consumer's fetch from v11 on (which names its {@code client.rack}) may read a partition this node follows, up
 * to this replica's high watermark, and where this node leads, may be sent to another replica
 * ({@link PreferredReadReplicas}, KIP-392).
 *
 * <p>Fetch sessions (KIP-227) as Kafka implements them ({@link FetchSessions}): a full fetch with epoch 0 creates a
 * session when the broker-wide cache ({@code max.incremental.fetch.session.cache.slots}) has or can make room;
 * incremental fetches then name only the partitions that changed or are forgotten, and their responses carry only
 * the partitions with records, errors or new offsets. Fetch before v7 and epoch -1 (librdkafka) stay session-less.
 * The session is updated when the response is made, which for a delayed fetch is when it completes.
 */
final class FetchHandler implements RequestHandler {

    /** The longest a connection is muted for a fetch the full purgatory could not park. */
    static final int MAX_MUTE_MS = 30_000;

    /** The first Fetch version a consumer may send to a follower: it carries the consumer's rack (KIP-392). */
    static final short FROM_FOLLOWER_VERSION = 11;

    private final PartitionLookup partitions;
    private final FetchSessions sessions;
    private final FetchPurgatory purgatory;
    private final FollowerFetches followers;
    private final LeaderThrottle throttle;
    private final PreferredReadReplicas readReplicas;

    FetchHandler(PartitionLookup partitions, FetchSessions sessions, FetchPurgatory purgatory) {
        this(
                partitions,
                sessions,
                purgatory,
                (topic, partition, leader, replicaId) -> {},
                LeaderThrottle.NONE,
                PreferredReadReplicas.NONE);
    }

    /**
     * With followers' fetches proposing them back into the ISR through {@code expansion}, and consumers sent to the
     * replicas {@code readReplicas} prefers.
     */
    FetchHandler(
            PartitionLookup partitions,
            FetchSessions sessions,
            FetchPurgatory purgatory,
            BrokerContext.IsrExpansion expansion,
            LeaderThrottle throttle,
            PreferredReadReplicas readReplicas) {
        this.partitions = partitions;
        this.sessions = sessions;
        this.purgatory = purgatory;
        this.followers = new FollowerFetches(expansion, throttle);
        this.throttle = throttle;
        this.readReplicas = readReplicas;
    }

    @Override
    public void handle(RequestContext context) {
        FetchRequestData request = context.data();
        int replicaId = FetchRequest.replicaId(request);
        FetchContext fetchContext = sessions.newContext(request, context.apiVersion(), replicaId >= 0);
        // From v11 a consumer names its rack (KIP-392): it may read from followers, and be sent to one where a
        // replica selector is set (only then is what the selector knows of the consumer made).
        boolean mayReadFollowers = replicaId < 0 && context.apiVersion() >= FROM_FOLLOWER_VERSION;
        ClientMetadata client =
                mayReadFollowers && readReplicas.selects() ? readReplicas.client(context, request.rackId()) : null;
        List<FetchTarget> targets =
                resolve(fetchContext.partitions(), context.apiVersion() >= 13, replicaId, mayReadFollowers, client);
        // A follower reads to the log end (where it is not one, its partitions answer NOT_LEADER_OR_FOLLOWER).
        FetchIsolation isolation =
                replicaId >= 0 ? FetchIsolation.LOG_END : FetchIsolation.ofConsumer(request.isolationLevel());
        FetchReader reader = new FetchReader(targets, request.maxBytes(), isolation, throttle);
        FetchReader.Result first = reader.read();
        boolean mustAnswerNow = request.maxWaitMs() <= 0
                || first.bytes() >= request.minBytes()
                || first.hasError()
                || targets.isEmpty()
                || targets.stream().anyMatch(t -> t.answeredWithoutRecords() || t.highWatermarkNews());
        if (mustAnswerNow) {
            first.countBytesOut();
            context.respond(fetchContext.updateAndGenerateResponse(first.response()));
        } else if (!purgatory.tryPark()
                || !new DelayedFetch(
                                context,
                                purgatory,
                                fetchContext,
                                reader::read,
                                targets,
                                request.minBytes(),
                                request.maxWaitMs(),
                                isolation)
                        .start()) {
            // Full, broker-wide or for one of the partitions: answer with what there is, as if max.wait.ms had
            // passed, and ask the client (KIP-219) to wait that long before its next request. Clients before
            // KIP-219 (librdkafka) do not wait: as Kafka, stop reading the connection for that time (bounded), so
            // that no client spins on empty answers.
            context.muteConnectionFor(Math.min(request.maxWaitMs(), MAX_MUTE_MS));
            first.countBytesOut();
            context.respond(
                    fetchContext.updateAndGenerateResponse(first.response()).setThrottleTimeMs(request.maxWaitMs()));
        }
    }

    private List<FetchTarget> resolve(
            List<PartitionFetch> requested,
            boolean byId,
            int replicaId,
            boolean mayReadFollowers,
            ClientMetadata client) {
        long nowMs = System.currentTimeMillis();
        List<FetchTarget> targets = new ArrayList<>(requested.size());
        for (PartitionFetch p : requested) {
            String known = byId ? partitions.topicName(p.topicId()) : p.topic();
            Partition partition = known == null ? null : partitions.partition(known, p.partition());
            boolean led = partition != null;
            if (!led && mayReadFollowers && known != null) {
                partition = partitions.followedPartition(known, p.partition());
            }
            Errors error;
            if (partition == null) {
                error = known == null
                        ? (byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION)
                        : partitions.missingPartitionError(known, p.partition());
            } else {
                error = partition.checkLeaderEpoch(p.currentLeaderEpoch());
            }
            String name = p.topic() != null ? p.topic() : known != null ? known : "";
            FetchTarget target = new FetchTarget(
                    name,
                    p.topicId() == null ? Uuid.ZERO_UUID : p.topicId(),
                    p.partition(),
                    p.fetchOffset(),
                    p.partitionMaxBytes(),
                    partition,
                    error);
            if (replicaId >= 0) {
                target = followers.resolve(target, p, replicaId, nowMs);
            } else if (led && client != null) {
                target = readReplicas.select(target, client, nowMs);
            }
            targets.add(target);
        }
        return targets;
    }
}
