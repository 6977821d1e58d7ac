/**
 * The consumer group protocol of KIP-848 (ConsumerGroupHeartbeat, ConsumerGroupDescribe): groups whose members
 * heartbeat their subscriptions and owned partitions, server-side assignors ({@code uniform}, {@code range}) that
 * compute a target assignment at each group epoch, and the per-member reconciliation that hands a partition to its
 * new owner only once the previous owner has revoked it.
 *
 * <p>A group's whole state is written to {@code __consumer_offsets} as a {@link ConsumerGroupSnapshot} whenever it
 * changes, and restored at start-up, so members carry on with their epochs after a broker restart.
 */
package io.piste.broker.group.consumer;
