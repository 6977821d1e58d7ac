package io.piste.storage.log;

/**
 * Per-log settings, named after Kafka's topic configs: {@code segment.bytes}, {@code segment.ms},
 * {@code index.interval.bytes}, {@code segment.index.bytes}, {@code message.timestamp.type=LogAppendTime},
 * {@code max.message.bytes}, {@code message.timestamp.before.max.ms}, {@code message.timestamp.after.max.ms}; the cleanup settings
 * ({@code cleanup.policy}, {@code retention.ms}, {@code retention.bytes}, {@code file.delete.delay.ms}) in
 * {@link LogCleanupConfig}. Immutable.
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        int indexIntervalBytes,
        int maxIndexSizeBytes,
        boolean logAppendTime,
        int maxMessageBytes,
        long messageTimestampBeforeMaxMs,
        long messageTimestampAfterMaxMs,
        LogCleanupConfig cleanup) {

    public LogConfig {
        if (segmentBytes < 14) {
            throw new IllegalArgumentException("segmentBytes too small: segmentBytes=" + segmentBytes);
        }
        if (segmentMs <= 0) {
            throw new IllegalArgumentException("segmentMs must be positive: segmentMs=" + segmentMs);
        }
        if (indexIntervalBytes < 0) {
            throw new IllegalArgumentException("indexIntervalBytes negative: indexIntervalBytes=" + indexIntervalBytes);
        }
        if (maxIndexSizeBytes < 12) {
            throw new IllegalArgumentException("maxIndexSizeBytes too small: maxIndexSizeBytes=" + maxIndexSizeBytes);
        }
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes must be positive: maxMessageBytes=" + maxMessageBytes);
        }
        if (messageTimestampBeforeMaxMs < 0 || messageTimestampAfterMaxMs < 0) {
            throw new IllegalArgumentException("timestamp bounds negative: before=" + messageTimestampBeforeMaxMs
                    + " after=" + messageTimestampAfterMaxMs);
        }
        if (cleanup == null) {
            throw new IllegalArgumentException("cleanup config missing");
        }
    }

    /** With the cleanup settings' defaults (Kafka's: delete after 7 days, no size limit). */
    public LogConfig(
            int segmentBytes,
            long segmentMs,
            int indexIntervalBytes,
            int maxIndexSizeBytes,
            boolean logAppendTime,
            int maxMessageBytes,
            long messageTimestampBeforeMaxMs,
            long messageTimestampAfterMaxMs) {
        this(
                segmentBytes,
                segmentMs,
                indexIntervalBytes,
                maxIndexSizeBytes,
                logAppendTime,
                maxMessageBytes,
                messageTimestampBeforeMaxMs,
                messageTimestampAfterMaxMs,
                LogCleanupConfig.defaults());
    }

    public static LogConfig defaults() {
        return new LogConfig(1073741824, 604800000L, 4096, 10485760, false, 1048588, Long.MAX_VALUE, 3600000L);
    }

    public LogConfig withSegmentBytes(int value) {
        return new LogConfig(
                value,
                segmentMs,
                indexIntervalBytes,
                maxIndexSizeBytes,
                logAppendTime,
                maxMessageBytes,
                messageTimestampBeforeMaxMs,
                messageTimestampAfterMaxMs,
                cleanup);
    }

    public LogConfig withSegmentMs(long value) {
        return new LogConfig(
                segmentBytes,
                value,
                indexIntervalBytes,
                maxIndexSizeBytes,
                logAppendTime,
                maxMessageBytes,
                messageTimestampBeforeMaxMs,
                messageTimestampAfterMaxMs,
                cleanup);
    }

    public LogConfig withIndexIntervalBytes(int value) {
        return new LogConfig(
                segmentBytes,
                segmentMs,
                value,
                maxIndexSizeBytes,
                logAppendTime,
                maxMessageBytes,
                messageTimestampBeforeMaxMs,
                messageTimestampAfterMaxMs,
                cleanup);
    }

    public LogConfig withMaxIndexSizeBytes(int value) {
        return new LogConfig(
                segmentBytes,
                segmentMs,
                indexIntervalBytes,
                value,
                logAppendTime,
                maxMessageBytes,
                messageTimestampBeforeMaxMs,
                messageTimestampAfterMaxMs,
                cleanup);
    }

    public LogConfig withLogAppendTime(boolean value) {
        return new LogConfig(
                segmentBytes,
                segmentMs,
                indexIntervalBytes,
                maxIndexSizeBytes,
                value,
                maxMessageBytes,
                messageTimestampBeforeMaxMs,
                messageTimestampAfterMaxMs,
                cleanup);
    }

    public LogConfig withMaxMessageBytes(int value) {
        return new LogConfig(
                segmentBytes,
                segmentMs,
                indexIntervalBytes,
                maxIndexSizeBytes,
                logAppendTime,
                value,
                messageTimestampBeforeMaxMs,
                messageTimestampAfterMaxMs,
                cleanup);
    }

    public LogConfig withTimestampBoundsMs(long beforeMaxMs, long afterMaxMs) {
        return new LogConfig(
                segmentBytes,
                segmentMs,
                indexIntervalBytes,
                maxIndexSizeBytes,
                logAppendTime,
                maxMessageBytes,
                beforeMaxMs,
                afterMaxMs,
                cleanup);
    }

    public LogConfig withCleanup(LogCleanupConfig value) {
        return new LogConfig(
                segmentBytes,
                segmentMs,
                indexIntervalBytes,
                maxIndexSizeBytes,
                logAppendTime,
                maxMessageBytes,
                messageTimestampBeforeMaxMs,
                messageTimestampAfterMaxMs,
                value);
    }
}
