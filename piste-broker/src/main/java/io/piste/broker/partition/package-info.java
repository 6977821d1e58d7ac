/**
 * Partitions on this broker: their logs, high watermarks, group-commit flushing and waiting fetches, and the reads
 * (fetch, list offsets, leader-epoch lookups) bounded by what a consumer's isolation level may see.
 */
package io.piste.broker.partition;
