package io.piste.storage.cleaner;

import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.log.UnifiedLog;

/** A log the cleaner may compact, with its topic's settings as they are now. */
public record CleanableLog(TopicPartitionKey partition, UnifiedLog log, CleanerSettings settings) {}
