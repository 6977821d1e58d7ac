package io.piste.broker.partition;

/**
 * An OffsetsForLeaderEpoch answer for one partition: the largest leader epoch not above the one asked for, and the
 * offset where it ended (the log end for the current epoch); both -1 when no such epoch is known.
 */
public record OffsetAndEpoch(long endOffset, int leaderEpoch) {

    static final OffsetAndEpoch UNDEFINED = new OffsetAndEpoch(-1, -1);
}
