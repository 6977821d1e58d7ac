/**
 * The group and transaction coordinators following the leaders of their internal topics' partitions: a partition of
 * {@code __consumer_offsets} or {@code __transaction_state} this node comes to lead is loaded from its replica, one
 * it stops leading is dropped from memory, as Kafka's coordinators move with their partitions.
 */
package io.piste.broker.coordinator;
