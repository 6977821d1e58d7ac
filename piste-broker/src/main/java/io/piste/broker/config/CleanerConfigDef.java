package io.piste.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;

import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The broker configs of the log cleaner, with Kafka's names, defaults and documentation; read by the cleaner's
 * package through {@link BrokerConfig#getLong(String)} and its siblings. Part of {@link BrokerConfigDef}. Stateless.
 */
final class CleanerConfigDef {
    /** Those Kafka lets AlterConfigs change at run time (its LogCleaner.ReconfigurableConfigs but message.max.bytes). */
    static final Set<String> DYNAMIC = Set.of(
            "log.cleaner.threads",
            "log.cleaner.dedupe.buffer.size",
            "log.cleaner.io.buffer.size",
            "log.cleaner.io.buffer.load.factor",
            "log.cleaner.io.max.bytes.per.second",
            "log.cleaner.backoff.ms");

    private static final long MIN_DEDUPE_BYTES_PER_THREAD = 1024 * 1024;

    private CleanerConfigDef() {}

    /**
     * Kafka's checks of a change of the cleaner's configs beyond each value's own: at least one thread, at most twice
     * and at least half as many as now (LogCleaner.validateReconfiguration), and more than 1 MiB of dedupe buffer per
     * thread (KafkaConfig's check, with the cleaner on).
     *
     * @throws InvalidRequestException naming the config and the values (Kafka answers INVALID_REQUEST)
     */
    static void validateChange(DynamicBrokerConfigs now, DynamicBrokerConfigs next) {
        int threads = now.getInt("log.cleaner.threads");
        int nextThreads = next.getInt("log.cleaner.threads");
        if (nextThreads != threads) {
            if (nextThreads < 1) {
                throw new InvalidRequestException(
                        "Log cleaner threads should be at least 1: log.cleaner.threads=" + nextThreads);
            }
            if (nextThreads < threads / 2) {
                throw new InvalidRequestException("Log cleaner threads cannot be reduced to less than half the "
                        + "current value " + threads + ": log.cleaner.threads=" + nextThreads);
            }
            if (nextThreads > threads * 2) {
                throw new InvalidRequestException("Log cleaner threads cannot be increased to more than double the "
                        + "current value " + threads + ": log.cleaner.threads=" + nextThreads);
            }
        }
        long dedupe = next.getLong("log.cleaner.dedupe.buffer.size");
        if (next.getBoolean("log.cleaner.enable")
                && nextThreads > 0
                && dedupe / nextThreads <= MIN_DEDUPE_BYTES_PER_THREAD
                && (dedupe != now.getLong("log.cleaner.dedupe.buffer.size") || nextThreads != threads)) {
            throw new InvalidRequestException("log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread: "
                    + "log.cleaner.dedupe.buffer.size=" + dedupe + " log.cleaner.threads=" + nextThreads);
        }
    }

    static void define(ConfigDef def) {
        def.define("log.cleaner.enable", BOOLEAN, true, MEDIUM, "Enable the log cleaner process to run on the server.")
                .define(
                        "log.cleaner.threads",
                        INT,
                        1,
                        atLeast(0),
                        MEDIUM,
                        "The number of background threads to use for log cleaning.")
                .define(
                        "log.cleaner.dedupe.buffer.size",
                        LONG,
                        128 * 1024 * 1024L,
                        MEDIUM,
                        "The total memory used for log deduplication across all cleaner threads.")
                .define(
                        "log.cleaner.io.buffer.size",
                        INT,
                        512 * 1024,
                        atLeast(0),
                        MEDIUM,
                        "The total memory used for log cleaner I/O buffers across all cleaner threads.")
                .define(
                        "log.cleaner.io.buffer.load.factor",
                        DOUBLE,
                        0.9,
                        between(0.01, 1),
                        MEDIUM,
                        "Log cleaner dedupe buffer load factor. The percentage full the dedupe buffer can become.")
                .define(
                        "log.cleaner.io.max.bytes.per.second",
                        DOUBLE,
                        Double.MAX_VALUE,
                        MEDIUM,
                        "The log cleaner will be throttled so that the sum of its read and write i/o will be less "
                                + "than this value on average.")
                .define(
                        "log.cleaner.backoff.ms",
                        LONG,
                        15 * 1000L,
                        atLeast(0),
                        MEDIUM,
                        "The amount of time to sleep when there are no logs to clean.");
    }
}
