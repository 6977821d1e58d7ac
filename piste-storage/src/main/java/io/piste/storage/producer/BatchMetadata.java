package io.piste.storage.producer;

/** Sequence range, offsets and max timestamp of one idempotent batch as it was written. */
public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long maxTimestamp) {}
