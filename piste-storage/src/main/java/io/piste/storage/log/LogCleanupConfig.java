package io.piste.storage.log;

/**
 * What happens to old data of a log, named after Kafka's topic configs: {@code cleanup.policy} ({@code delete},
 * {@code compact}, both, or neither: an empty list keeps everything, as in Kafka 4.4), {@code retention.ms} (-1: no time limit), {@code retention.bytes} (per partition, -1: no
 * size limit) and {@code file.delete.delay.ms} (how long a deleted segment's files stay, renamed {@code .deleted},
 * before they are removed). Retention by time and size applies only with {@code delete}; segments below the log
 * start offset go whatever the policy, as in Kafka. Immutable.
 */
public record LogCleanupConfig(
        boolean delete, boolean compact, long retentionMs, long retentionBytes, long fileDeleteDelayMs) {

    public LogCleanupConfig {
        if (retentionMs < -1) {
            throw new IllegalArgumentException("retentionMs below -1: retentionMs=" + retentionMs);
        }
        if (fileDeleteDelayMs < 0) {
            throw new IllegalArgumentException("fileDeleteDelayMs negative: fileDeleteDelayMs=" + fileDeleteDelayMs);
        }
    }

    /** Kafka's defaults: delete, 7 days, no size limit, files removed a minute after their segment is deleted. */
    public static LogCleanupConfig defaults() {
        return new LogCleanupConfig(true, false, 7 * 24 * 3600_000L, -1L, 60_000L);
    }

    public LogCleanupConfig withRetentionMs(long value) {
        return new LogCleanupConfig(delete, compact, value, retentionBytes, fileDeleteDelayMs);
    }

    public LogCleanupConfig withRetentionBytes(long value) {
        return new LogCleanupConfig(delete, compact, retentionMs, value, fileDeleteDelayMs);
    }

    public LogCleanupConfig withFileDeleteDelayMs(long value) {
        return new LogCleanupConfig(delete, compact, retentionMs, retentionBytes, value);
    }

    public LogCleanupConfig withPolicy(boolean deleteValue, boolean compactValue) {
        return new LogCleanupConfig(deleteValue, compactValue, retentionMs, retentionBytes, fileDeleteDelayMs);
    }
}
