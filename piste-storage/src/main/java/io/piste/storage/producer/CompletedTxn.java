package io.piste.storage.producer;

/**
 * A transaction a marker closed: the producer, the offset of its first batch in this partition, the offset of the
 * marker ({@code lastOffset}) and whether it was aborted.
 */
public record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted) {}
