package io.piste.broker.partition;

/**
 * A ListOffsets answer for one partition: the offset found and its record's timestamp (-1 for the earliest and
 * latest offsets), with the leader epoch to report; offset -1 when no record matches.
 */
public record TimestampAndOffset(long timestamp, long offset, int leaderEpoch) {

    static final TimestampAndOffset NONE = new TimestampAndOffset(-1, -1, -1);
}
