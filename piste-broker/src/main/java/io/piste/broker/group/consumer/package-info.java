/**
 * The consumer group protocol of KIP-848 (ConsumerGroupHeartbeat, ConsumerGroupDescribe): groups whose members
 * heartbeat their subscriptions and owned partitions, server-side assignors ({@code uniform}, {@code range}) that
 * compute a target assignment at each group epoch, and the per-member reconciliation that hands a partition to its
 * new owner only once the previous owner has revoked it.
 *
 * <p>Known limit: the membership of these groups is kept in memory only (committed offsets do go to
 * {@code __consumer_offsets}). After a broker restart a member's heartbeat is answered UNKNOWN_MEMBER_ID and the
 * client rejoins with epoch 0; until a member rejoins, a group with offsets is listed as an Empty classic group.
 */
package io.piste.broker.group.consumer;
