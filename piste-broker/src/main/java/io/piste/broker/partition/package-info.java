/** Partitions on this broker: their logs, high watermarks, group-commit flushing and waiting fetches. */
package io.piste.broker.partition;
