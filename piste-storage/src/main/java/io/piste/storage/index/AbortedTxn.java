package io.piste.storage.index;

/**
 * One aborted transaction as the {@code .txnindex} holds it: its producer, the offset of its first batch, the offset of
 * its ABORT marker ({@code lastOffset}), and the last stable offset once it was aborted.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {}
