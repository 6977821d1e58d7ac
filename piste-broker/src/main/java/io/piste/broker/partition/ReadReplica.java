package io.piste.broker.partition;

/**
 * An in-sync follower a consumer could read from instead of the leader (KIP-392): its id, its log end as its last
 * fetch reported it, and how long ago it was last caught up with the leader.
 */
public record ReadReplica(int replicaId, long logEndOffset, long sinceCaughtUpMs) {}
