/**
 * The group coordinator: classic consumer-group membership and committed offsets, kept in __consumer_offsets.
 * KIP-848 consumer groups are in {@code io.piste.broker.group.consumer}.
 */
package io.piste.broker.group;
