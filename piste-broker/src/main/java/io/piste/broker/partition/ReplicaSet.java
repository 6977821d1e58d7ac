package io.piste.broker.partition;

import io.piste.broker.metadata.EligibleLeaders;
import io.piste.broker.metadata.PartitionImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the leader of a partition knows of its followers (Kafka's replica states on the leader): the state the image
 * gives (replicas, ISR, epochs), and per follower the log end it last reported by fetching (its durable log end, since
 * a follower fsyncs before it fetches again) and when it was last caught up. The high watermark is the smallest log end
 * of the ISR; a follower out of the ISR that catches up is proposed back, one in it that lags for
 * {@code replica.lag.time.max.ms} is proposed out. A single node, or a partition of one replica, has no follower:
 * its bound is the leader's own. Thread-safe.
 */
final class ReplicaSet {

    /** A follower as its fetches show it; -1 for a log end not reported yet in this leadership. */
    private static final class Follower {
        long logEndOffset = -1;
        /** The follower's log start, as its last fetch said: it cannot serve a read below it. */
        long logStartOffset;

        long lastCaughtUpMs;
        long lastFetchMs;
        /** The leader's log end at the follower's previous fetch: reaching it then means caught up then. */
        long leaderEndAtLastFetch = -1;
    }

    /** This node: the leader of {@link #state}. */
    private int self = -1;

    private PartitionImage state;
    private final Map<Integer, Follower> followers = new HashMap<>();
    /** The log end when this leadership began: a follower rejoins the ISR only once it has all of an older epoch. */
    private long epochStart;

    private int minIsr = 1;

    /**
     * Followers proposed into the ISR and not in it by the image yet (Kafka's maximal ISR): the high watermark waits
     * for them from the proposal on, since the controller may count them in sync, and elect one, before this leader
     * hears that the change committed.
     */
    private final Set<Integer> pendingIsr = new HashSet<>();

    /**
     * This node leads at {@code state}'s leader epoch from now on ({@code now}, its log ending at
     * {@code logEndOffset}): every follower's log end is unknown
     * until it fetches, and the ISR's count as caught up now (Kafka's rule), so none is dropped before it could fetch.
     */
    synchronized void lead(PartitionImage state, long logEndOffset, long now) {
        this.state = state;
        this.epochStart = logEndOffset;
        this.self = state.leader();
        followers.clear();
        pendingIsr.clear();
        for (int replica : state.replicas()) {
            if (replica != self) {
                Follower follower = new Follower();
                follower.lastCaughtUpMs = state.isr().contains(replica) ? now : 0;
                followers.put(replica, follower);
            }
        }
    }

    /** The image changed the partition within the same leadership (its ISR, after a proposal or an election). */
    synchronized void update(PartitionImage state) {
        this.state = state;
        this.self = state.leader();
        for (int replica : state.replicas()) {
            if (replica != self) {
                followers.computeIfAbsent(replica, r -> new Follower());
            }
        }
        followers.keySet().retainAll(state.replicas());
        pendingIsr.removeAll(state.isr());
        pendingIsr.retainAll(state.replicas());
    }

    /** No longer the leader: forgets the followers. */
    synchronized void stopLeading() {
        state = null;
        followers.clear();
        pendingIsr.clear();
    }

    /** The state this node leads at, or null if it does not lead (or leads alone, a single node). */
    synchronized PartitionImage state() {
        return state;
    }

    /** Whether {@code replicaId} is a follower of this leadership. */
    synchronized boolean isFollower(int replicaId) {
        return followers.containsKey(replicaId);
    }

    /** Whether some follower may fetch: appends then wake parked fetches at once (followers read to the log end). */
    synchronized boolean hasFollowers() {
        return !followers.isEmpty();
    }

    /** Whether as many replicas are in sync, the leader included, as min.insync.replicas asks (a single node: 1). */
    synchronized boolean hasMinIsr() {
        return (state == null ? 1 : state.isr().size()) >= minIsr;
    }

    /**
     * The in-sync followers that hold {@code fetchOffset} (their reported log start at or below it and log end
     * above it: Kafka's check before it names a preferred read replica), with how long since each caught up.
     */
    synchronized List<ReadReplica> inSyncHolding(long fetchOffset, long now) {
        List<ReadReplica> holding = new ArrayList<>();
        if (state == null) {
            return holding;
        }
        for (int replica : state.isr()) {
            Follower follower = followers.get(replica);
            if (follower != null && follower.logEndOffset >= fetchOffset && follower.logStartOffset <= fetchOffset) {
                holding.add(
                        new ReadReplica(replica, follower.logEndOffset, Math.max(0, now - follower.lastCaughtUpMs)));
            }
        }
        return holding;
    }

    /** The proposal that would have brought {@code replicaId} into the ISR was not made or refused. */
    synchronized void abandonPendingIsr(int replicaId) {
        pendingIsr.remove(replicaId);
    }

    /** The topic's min.insync.replicas, as last set. */
    synchronized int minIsr() {
        return minIsr;
    }

    synchronized void setMinIsr(int minIsr) {
        this.minIsr = minIsr;
    }

    /**
     * A follower whose log starts at {@code logStartOffset} fetched from {@code fetchOffset} at {@code now}, while the
     * leader's log ended at {@code leaderEnd}. Caught up now if it reached the leader's end, or then if it reached
     * what the end was at its previous fetch.
     */
    synchronized void onFetch(int replicaId, long fetchOffset, long logStartOffset, long leaderEnd, long now) {
        Follower follower = followers.get(replicaId);
        if (follower == null) {
            return;
        }
        if (fetchOffset >= leaderEnd) {
            follower.lastCaughtUpMs = now;
        } else if (follower.leaderEndAtLastFetch >= 0 && fetchOffset >= follower.leaderEndAtLastFetch) {
            follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, follower.lastFetchMs);
        }
        follower.logEndOffset = fetchOffset;
        follower.logStartOffset = Math.max(0, logStartOffset);
        follower.lastFetchMs = now;
        follower.leaderEndAtLastFetch = leaderEnd;
    }

    /**
     * The highest offset the high watermark may reach: {@code leaderOffset} (the leader's durable log end) bounded by
     * each in-sync follower's reported log end; -1 while one of them has not reported in this leadership, or while
     * the ISR is smaller than min.insync.replicas (then an eligible leader replica holds all that is committed).
     */
    synchronized long highWatermarkBound(long leaderOffset) {
        long bound = leaderOffset;
        if (state == null) {
            return bound;
        }
        if (state.isr().size() < EligibleLeaders.effectiveMinIsr(state, minIsr)) {
            return -1; // the strict min-ISR rule (KIP-966): what a replica leaving now lacks is never committed
        }
        for (int replica : state.isr()) {
            if (replica != self) {
                bound = Math.min(bound, reportedEnd(replica));
            }
        }
        for (int replica : pendingIsr) {
            bound = Math.min(bound, reportedEnd(replica));
        }
        return bound;
    }

    /** The log end {@code replica} last reported, -1 if none in this leadership. */
    private long reportedEnd(int replica) {
        Follower follower = followers.get(replica);
        return follower == null ? -1 : follower.logEndOffset;
    }

    /**
     * The ISR without the followers not caught up for {@code maxLagMs}, or null if none lags (or a proposal would
     * leave the leader alone with nobody to drop).
     */
    synchronized List<Integer> isrWithoutLagging(long now, long maxLagMs) {
        if (state == null) {
            return null;
        }
        List<Integer> kept = new ArrayList<>();
        for (int replica : state.isr()) {
            Follower follower = followers.get(replica);
            if (replica == self || (follower != null && now - follower.lastCaughtUpMs <= maxLagMs)) {
                kept.add(replica);
            }
        }
        // A follower proposed in but lagging since (the proposal's fate unknown) stops holding the high watermark.
        pendingIsr.removeIf(
                replica -> followers.get(replica) == null || now - followers.get(replica).lastCaughtUpMs > maxLagMs);
        return kept.size() == state.isr().size() ? null : kept;
    }

    /**
     * The ISR with {@code replicaId} added, if it is a follower out of the ISR whose log end reached both the high
     * watermark and the start of this leadership, as Kafka's expansion rule; else null. With {@code reserve} the
     * follower counts for the high watermark from now on (the caller holds the high watermark still meanwhile).
     */
    synchronized List<Integer> isrWith(int replicaId, long highWatermark, boolean reserve) {
        Follower follower = followers.get(replicaId);
        if (state == null || follower == null || state.isr().contains(replicaId)) {
            return null;
        }
        if (follower.logEndOffset < highWatermark || follower.logEndOffset < epochStart) {
            return null;
        }
        List<Integer> isr = new ArrayList<>(state.isr());
        isr.add(replicaId);
        if (reserve) {
            pendingIsr.add(replicaId); // before the proposal is even sent
        }
        return isr;
    }
}
