/**
 * Replication of partitions between the brokers of a cluster, as Kafka's: the {@link
 * io.piste.broker.replication.ReplicaManager} takes each partition's role from the metadata image (lead it, or follow
 * its leader), one {@link io.piste.broker.replication.ReplicaFetcher} per leader fetches and appends what followers
 * need, and leaders propose their ISR changes to the controller. The leader's side of a follower's fetch (high
 * watermark, ISR bookkeeping) lives with the partition ({@code io.piste.broker.partition}).
 */
package io.piste.broker.replication;
