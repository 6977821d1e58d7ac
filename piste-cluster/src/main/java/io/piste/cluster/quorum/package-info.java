/**
 * The metadata quorum: the broker's metadata records replicated by one Apache Ratis group of the voters named in
 * {@code controller.quorum.voters}, applied to a {@link io.piste.broker.metadata.MetadataImage} on every node, with
 * snapshots.
 */
package io.piste.cluster.quorum;
