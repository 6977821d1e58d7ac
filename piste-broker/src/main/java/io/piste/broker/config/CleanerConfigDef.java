package io.piste.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;

import org.apache.kafka.common.config.ConfigDef;

/**
 * The broker configs of the log cleaner, with Kafka's names, defaults and documentation; read by the cleaner's
 * package through {@link BrokerConfig#getLong(String)} and its siblings. Part of {@link BrokerConfigDef}. Stateless.
 */
final class CleanerConfigDef {

    private CleanerConfigDef() {}

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
