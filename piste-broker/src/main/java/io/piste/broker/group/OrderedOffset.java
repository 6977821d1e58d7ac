package io.piste.broker.group;

/**
 * A committed or pending offset with the place of its record among the group's writes: records of one group are
 * numbered in log order (as written, or as replayed at load), so when a transaction commits, its offset replaces a
 * partition's committed offset only if written after it, as Kafka decides by the records' log offsets. The record
 * later in the log is also the one compaction keeps, so a reload after compaction gives the same answer.
 *
 * @param offset     the offset
 * @param writeOrder the record's number; larger is later in the log
 */
record OrderedOffset(CommittedOffset offset, long writeOrder) {}
