/**
 * Cluster metadata: topics, partitions, configs and producer-id blocks as records in a metadata log, applied
 * to an image.
 */
package io.piste.broker.metadata;
