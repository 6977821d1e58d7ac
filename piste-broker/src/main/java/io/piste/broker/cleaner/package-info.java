/**
 * The broker's side of log compaction: the record codec the storage's cleaner uses (kafka-clients), the compacted
 * topics' settings, and the cleaner's threads started over the open logs.
 */
package io.piste.broker.cleaner;
