package io.piste.broker.group;

/**
 * An offset committed for one partition by one group.
 *
 * @param offset            the next offset the group will consume
 * @param leaderEpoch       the leader epoch of the record before {@code offset}, or -1
 * @param metadata          the client's metadata string (may be null)
 * @param commitTimestampMs when the broker accepted the commit
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {}
