package io.piste.broker.group;

import java.util.List;

/**
 * A classic group's membership as stored in {@code __consumer_offsets} once a rebalance completes, so that after a
 * restart the members carry on with their generation instead of rejoining (as after a coordinator fail-over in
 * Kafka).
 *
 * @param protocolType     the members' protocol type ({@code consumer}, {@code connect}...), null if none yet
 * @param generationId     the generation
 * @param protocolName     the chosen protocol (assignor), null for an Empty group
 * @param leaderId         the leader's member id, null for an Empty group
 * @param stateTimestampMs when the group reached this state (became Stable, or Empty)
 * @param members          the members, empty for an Empty group
 */
public record GroupRecord(
        String protocolType,
        int generationId,
        String protocolName,
        String leaderId,
        long stateTimestampMs,
        List<Member> members) {

    /**
     * One member: its ids, timeouts, its metadata for the chosen protocol and its assignment.
     */
    public record Member(
            String memberId,
            String groupInstanceId,
            String clientId,
            String clientHost,
            int sessionTimeoutMs,
            int rebalanceTimeoutMs,
            byte[] subscription,
            byte[] assignment) {}
}
