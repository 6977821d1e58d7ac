package io.piste.broker.handler;

import io.piste.broker.fetchsession.PartitionFetch;
import io.piste.broker.partition.OffsetAndEpoch;
import io.piste.broker.partition.Partition;
import io.piste.broker.replication.LeaderThrottle;
import java.io.IOException;
import org.apache.kafka.common.message.FetchResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;

/**
 * The leader's side of a follower's fetch (a Fetch naming a replica id): only a follower of this leadership reads to
 * the log end; one whose last fetched epoch ends earlier in the leader's log, or not at all, is told where the leader's
 * log diverges from its own (Fetch v12+), and truncates before it fetches again; otherwise its fetch offset is its
 * durable log end, which may move the high watermark, and a follower that caught up is proposed back into the ISR.
 * A follower that tells the high watermark it knows (Fetch v18+) is answered as soon as the leader's is ahead. A
 * follower out of the ISR may get no records of a partition the leader throttles ({@link LeaderThrottle}).
 */
final class FollowerFetches {

    private final BrokerContext.IsrExpansion expansion;
    private final LeaderThrottle throttle;

    FollowerFetches(BrokerContext.IsrExpansion expansion, LeaderThrottle throttle) {
        this.expansion = expansion;
        this.throttle = throttle;
    }

    /** The error or divergence of {@code fetch} from follower {@code replicaId}, recording its progress if none. */
    FetchTarget resolve(FetchTarget target, PartitionFetch fetch, int replicaId, long nowMs) {
        Partition partition = target.partition();
        if (partition == null || target.error() != Errors.NONE) {
            return target;
        }
        if (!partition.isFollower(replicaId)) {
            // Not a follower here (or this node leads alone): it must not read past the high watermark.
            return target.failed(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        EpochEndOffset diverging;
        try {
            diverging = divergence(partition, fetch);
        } catch (IOException | RuntimeException e) {
            return target.failed(StorageErrors.forException(e));
        }
        if (diverging != null) {
            return target.diverged(diverging);
        }
        if (fetch.fetchOffset() <= partition.logEndOffset()) {
            partition.onFollowerFetch(replicaId, fetch.fetchOffset(), fetch.logStartOffset(), nowMs);
            // The partition's own name: a fetch by topic id (v13+) names no topic.
            expansion.maybeExpand(partition.topic(), partition.index(), partition, replicaId);
        }
        FetchTarget known = target.knowing(fetch.knownHighWatermark());
        // Its progress counts all the same (ISR, high watermark); only the records wait for the quota.
        return throttle.holdsBack(partition.topic(), partition.index(), replicaId, nowMs) ? known.heldBack() : known;
    }

    /** Kafka's check: the follower's last epoch must end, in the leader's log, at or after its fetch offset. */
    private static EpochEndOffset divergence(Partition partition, PartitionFetch fetch) throws IOException {
        if (fetch.lastFetchedEpoch() < 0) {
            return null;
        }
        OffsetAndEpoch known = partition.lastOffsetForLeaderEpoch(fetch.lastFetchedEpoch());
        if (known.leaderEpoch() < 0) {
            return null; // older than every epoch the leader still has: the offset check (out of range) decides
        }
        if (known.leaderEpoch() < fetch.lastFetchedEpoch() || known.endOffset() < fetch.fetchOffset()) {
            return new EpochEndOffset().setEpoch(known.leaderEpoch()).setEndOffset(known.endOffset());
        }
        return null;
    }
}
