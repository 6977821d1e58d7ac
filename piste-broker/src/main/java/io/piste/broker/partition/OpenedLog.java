package io.piste.broker.partition;

import io.piste.broker.metadata.TopicImage;
import io.piste.storage.log.UnifiedLog;

/** The log of an open partition with its topic as last applied: what background work (the cleaner) goes over. */
public record OpenedLog(TopicImage topic, int index, UnifiedLog log) {}
