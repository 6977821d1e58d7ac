package io.piste.storage.log;

import java.nio.ByteBuffer;

/** One batch found by timestamp: its offsets, max timestamp and a heap copy of the whole batch. */
public record BatchLocation(long baseOffset, long lastOffset, long maxTimestamp, ByteBuffer batch) {}
