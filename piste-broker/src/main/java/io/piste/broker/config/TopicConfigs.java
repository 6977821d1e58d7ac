package io.piste.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import io.piste.storage.log.LogCleanupConfig;
import io.piste.storage.log.LogConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.LambdaValidator;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * The topic-level config schema: Kafka's names ({@link TopicConfig}), types, defaults and validators, and for each
 * topic config the broker configs that give its default ("synonyms", highest priority first, as Kafka orders them).
 *
 * <p>A topic's value of a config is its override if it has one, else the first broker synonym the user set (dynamically
 * or statically, see {@link DynamicBrokerConfigs}), else the broker default. Piste has no tiered storage:
 * {@code remote.storage.enable=true} is refused as by a Kafka broker with tiered storage disabled. Stateless and
 * thread-safe.
 */
public final class TopicConfigs {
    /** Kafka's internal topic config for segments smaller than 1 MiB, used by tests. */
    static final String INTERNAL_SEGMENT_BYTES_CONFIG = "internal.segment.bytes";

    static final String LEADER_THROTTLED_REPLICAS_CONFIG = "leader.replication.throttled.replicas";
    static final String FOLLOWER_THROTTLED_REPLICAS_CONFIG = "follower.replication.throttled.replicas";

    static final ValidString COMPRESSION_TYPES =
            ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer");
    static final int GZIP_LEVEL_DEFAULT = -1;
    static final int LZ4_LEVEL_DEFAULT = 9;
    static final int ZSTD_LEVEL_DEFAULT = 3;
    static final Validator GZIP_LEVELS = LambdaValidator.with(
            (name, value) -> {
                int level = ((Number) value).intValue();
                if (level != GZIP_LEVEL_DEFAULT && (level < 1 || level > 9)) {
                    throw new ConfigException(name, value, "Value must be between 1 and 9, or -1");
                }
            },
            () -> "[1,...,9] or -1");
    /** Kafka's default: no limit beyond the largest Java array. */
    static final int MAX_DECOMPRESSED_DEFAULT = Integer.MAX_VALUE - 8;

    private static final long HOUR_MS = 60 * 60 * 1000L;
    private static final long MINUTE_MS = 60 * 1000L;
    private static final long WEEK_MS = 7 * 24 * HOUR_MS;
    private static final int INDEX_SIZE_MIN_BYTES = 12;

    /** "*" or a list of partitionId:brokerId, as Kafka's throttled-replica lists. */
    private static final Validator THROTTLED_REPLICAS = LambdaValidator.with(
            (name, value) -> {
                @SuppressWarnings("unchecked")
                List<String> replicas = (List<String>) value;
                boolean wildcard =
                        replicas.size() == 1 && "*".equals(replicas.get(0).trim());
                if (!wildcard && !replicas.stream().allMatch(r -> r.trim().matches("[0-9]+:[0-9]+"))) {
                    throw new ConfigException(
                            name,
                            value,
                            "must be the literal '*' or a list of replicas in the following "
                                    + "format: [partitionId]:[brokerId],[partitionId]:[brokerId],...");
                }
            },
            () -> "[partitionId]:[brokerId],[partitionId]:[brokerId],...");

    /** Unset by default; storage needs room for one batch header at least. */
    private static final Validator NULL_OR_AT_LEAST_14 = LambdaValidator.with(
            (name, value) -> {
                if (value != null) {
                    atLeast(14).ensureValid(name, value);
                }
            },
            () -> "[14,...]");

    private static final ConfigDef DEF = buildConfigDef();
    private static final Map<String, List<Synonym>> SYNONYMS = buildSynonyms();

    private TopicConfigs() {}

    /** A broker config giving a topic config's default; {@code toMs} scales hours or minutes to milliseconds. */
    record Synonym(String name, long toMs) {
        static Synonym same(String name) {
            return new Synonym(name, 1);
        }

        Object convert(Object brokerValue) {
            if (toMs == 1) {
                return brokerValue;
            }
            long v = ((Number) brokerValue).longValue();
            // Kafka turns any negative time (e.g. log.retention.hours=-1) into -1, "no limit".
            return v < 0 ? -1L : v * toMs;
        }
    }

    /**
     * Checks the names and values of a topic's overrides.
     *
     * @throws InvalidConfigurationException naming the key and value
     */
    public static void validate(Map<String, String> overrides) {
        Map<String, Object> parsed = parse(overrides);
        checkCombination(parsed);
    }

    /** The log settings of a topic with these (already validated) overrides, under the static broker config only. */
    public static LogConfig logConfig(BrokerConfig broker, Map<String, String> overrides) {
        return logConfig(DynamicBrokerConfigs.staticOnly(broker), overrides);
    }

    /** The log settings of a topic with these (already validated) overrides. */
    public static LogConfig logConfig(DynamicBrokerConfigs broker, Map<String, String> overrides) {
        Map<String, Object> v = effectiveValues(broker, overrides);
        Integer internalSegmentBytes = (Integer) v.get(INTERNAL_SEGMENT_BYTES_CONFIG);
        int segmentBytes =
                internalSegmentBytes != null ? internalSegmentBytes : (Integer) v.get(TopicConfig.SEGMENT_BYTES_CONFIG);
        // Kafka accepts segment.index.bytes down to 4 and max.message.bytes down to 0; storage needs room for one
        // index entry and a positive limit, which reject the same batches in practice.
        int maxIndexSizeBytes = Math.max(INDEX_SIZE_MIN_BYTES, (Integer) v.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG));
        int maxMessageBytes = Math.max(1, (Integer) v.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
        return new LogConfig(
                segmentBytes,
                (Long) v.get(TopicConfig.SEGMENT_MS_CONFIG),
                (Integer) v.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG),
                maxIndexSizeBytes,
                "LogAppendTime".equals(v.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)),
                maxMessageBytes,
                (Long) v.get(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG),
                (Long) v.get(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG),
                cleanup(v));
    }

    /** cleanup.policy (an empty list keeps everything, as in Kafka 4.4), retention.ms/bytes, file.delete.delay.ms. */
    @SuppressWarnings("unchecked")
    private static LogCleanupConfig cleanup(Map<String, Object> v) {
        List<String> policy = (List<String>) v.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        return new LogCleanupConfig(
                policy.contains(TopicConfig.CLEANUP_POLICY_DELETE),
                policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT),
                Math.max(-1, (Long) v.get(TopicConfig.RETENTION_MS_CONFIG)), // log.retention.ms=-5 is Kafka's -1
                (Long) v.get(TopicConfig.RETENTION_BYTES_CONFIG),
                (Long) v.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG));
    }

    /**
     * The value a topic with these overrides has for {@code name}, as Kafka's DescribeConfigs writes it.
     *
     * @throws InvalidConfigurationException if {@code name} is not a topic config or an override is invalid
     */
    public static String effectiveValue(BrokerConfig broker, Map<String, String> overrides, String name) {
        return effectiveValue(DynamicBrokerConfigs.staticOnly(broker), overrides, name);
    }

    /**
     * The value a topic with these overrides has for {@code name} under the effective broker config.
     *
     * @throws InvalidConfigurationException if {@code name} is not a topic config or an override is invalid
     */
    public static String effectiveValue(DynamicBrokerConfigs broker, Map<String, String> overrides, String name) {
        ConfigKey key = key(name);
        if (key == null) {
            throw new InvalidConfigurationException("Unknown topic config name: " + name);
        }
        Object value = overrides.containsKey(name) ? parse(overrides).get(name) : brokerDefault(broker, key);
        return ConfigDef.convertToString(value, key.type);
    }

    /** Every topic config with its effective typed value, internal ones included. */
    static Map<String, Object> effectiveValues(DynamicBrokerConfigs broker, Map<String, String> overrides) {
        Map<String, Object> parsed = parse(overrides);
        Map<String, Object> values = new TreeMap<>();
        for (ConfigKey key : DEF.configKeys().values()) {
            values.put(key.name, overrides.containsKey(key.name) ? parsed.get(key.name) : brokerDefault(broker, key));
        }
        checkCombination(values);
        return values;
    }

    /** The non-internal topic config names, sorted. */
    static List<String> names() {
        return DEF.configKeys().values().stream()
                .filter(k -> !k.internalConfig)
                .map(k -> k.name)
                .sorted()
                .toList();
    }

    /** The key of a topic config, internal ones included, or null. */
    static ConfigKey key(String name) {
        return DEF.configKeys().get(name);
    }

    static List<Synonym> synonyms(String name) {
        return SYNONYMS.getOrDefault(name, List.of());
    }

    private static Object brokerDefault(DynamicBrokerConfigs broker, ConfigKey key) {
        List<Synonym> synonyms = synonyms(key.name);
        for (Synonym s : synonyms) {
            if (broker.isSet(s.name()) && broker.value(s.name()) != null) {
                return s.convert(broker.value(s.name()));
            }
        }
        for (Synonym s : synonyms) {
            if (broker.value(s.name()) != null) {
                return s.convert(broker.value(s.name()));
            }
        }
        return key.defaultValue;
    }

    private static Map<String, Object> parse(Map<String, String> overrides) {
        for (String name : overrides.keySet()) {
            if (!DEF.configKeys().containsKey(name)) {
                throw new InvalidConfigurationException("Unknown topic config name: " + name);
            }
        }
        try {
            return DEF.parse(overrides);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage(), e);
        }
    }

    private static void checkCombination(Map<String, Object> values) {
        long minLagMs = (Long) values.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
        long maxLagMs = (Long) values.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
        if (minLagMs > maxLagMs) {
            throw new InvalidConfigurationException("conflict topic config setting "
                    + TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG + " (" + minLagMs + ") > "
                    + TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG + " (" + maxLagMs + ")");
        }
        if (Boolean.TRUE.equals(values.get(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG))) {
            throw new InvalidConfigurationException("Tiered Storage functionality is disabled in the broker. "
                    + "Topic cannot be configured with remote log storage.");
        }
    }

    private static ConfigDef buildConfigDef() {
        ConfigDef def = new ConfigDef();
        def.define(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        LIST,
                        TopicConfig.CLEANUP_POLICY_DELETE,
                        ValidList.in(TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.CLEANUP_POLICY_DELETE),
                        MEDIUM,
                        TopicConfig.CLEANUP_POLICY_DOC)
                .define(
                        TopicConfig.COMPRESSION_TYPE_CONFIG,
                        STRING,
                        "producer",
                        COMPRESSION_TYPES,
                        MEDIUM,
                        TopicConfig.COMPRESSION_TYPE_DOC)
                .define(
                        TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG,
                        INT,
                        GZIP_LEVEL_DEFAULT,
                        GZIP_LEVELS,
                        MEDIUM,
                        TopicConfig.COMPRESSION_GZIP_LEVEL_DOC)
                .define(
                        TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG,
                        INT,
                        LZ4_LEVEL_DEFAULT,
                        between(1, 17),
                        MEDIUM,
                        TopicConfig.COMPRESSION_LZ4_LEVEL_DOC)
                .define(
                        TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG,
                        INT,
                        ZSTD_LEVEL_DEFAULT,
                        between(-131072, 22),
                        MEDIUM,
                        TopicConfig.COMPRESSION_ZSTD_LEVEL_DOC)
                .define(
                        TopicConfig.DELETE_RETENTION_MS_CONFIG,
                        LONG,
                        24 * HOUR_MS,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.DELETE_RETENTION_MS_DOC)
                .define(
                        TopicConfig.FILE_DELETE_DELAY_MS_CONFIG,
                        LONG,
                        60000L,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.FILE_DELETE_DELAY_MS_DOC)
                .define(
                        TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG,
                        LONG,
                        Long.MAX_VALUE,
                        atLeast(1),
                        MEDIUM,
                        TopicConfig.FLUSH_MESSAGES_INTERVAL_DOC)
                .define(TopicConfig.FLUSH_MS_CONFIG, LONG, Long.MAX_VALUE, atLeast(0), MEDIUM, TopicConfig.FLUSH_MS_DOC)
                .define(
                        FOLLOWER_THROTTLED_REPLICAS_CONFIG,
                        LIST,
                        "",
                        THROTTLED_REPLICAS,
                        MEDIUM,
                        "A list of replicas for which log replication should be throttled on the follower side, "
                                + "or '*'.")
                .define(
                        TopicConfig.INDEX_INTERVAL_BYTES_CONFIG,
                        INT,
                        4096,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.INDEX_INTERVAL_BYTES_DOC)
                .define(
                        LEADER_THROTTLED_REPLICAS_CONFIG,
                        LIST,
                        "",
                        THROTTLED_REPLICAS,
                        MEDIUM,
                        "A list of replicas for which log replication should be throttled on the leader side, or '*'.")
                .define(
                        TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG,
                        LONG,
                        -2L,
                        atLeast(-2),
                        MEDIUM,
                        TopicConfig.LOCAL_LOG_RETENTION_BYTES_DOC)
                .define(
                        TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG,
                        LONG,
                        -2L,
                        atLeast(-2),
                        MEDIUM,
                        TopicConfig.LOCAL_LOG_RETENTION_MS_DOC)
                .define(
                        TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG,
                        LONG,
                        Long.MAX_VALUE,
                        atLeast(1),
                        MEDIUM,
                        TopicConfig.MAX_COMPACTION_LAG_MS_DOC)
                .define(
                        TopicConfig.MAX_DECOMPRESSED_MESSAGE_BYTES_CONFIG,
                        INT,
                        MAX_DECOMPRESSED_DEFAULT,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.MAX_DECOMPRESSED_MESSAGE_BYTES_DOC)
                .define(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        INT,
                        1024 * 1024 + 12,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.MAX_MESSAGE_BYTES_DOC);
        return defineRest(def);
    }

    // message.downconversion.enable is deprecated (a no-op since Kafka 4.0) but still accepted by Kafka.
    @SuppressWarnings("deprecation")
    private static ConfigDef defineRest(ConfigDef def) {
        return def.define(
                        TopicConfig.MESSAGE_DOWNCONVERSION_ENABLE_CONFIG,
                        BOOLEAN,
                        true,
                        LOW,
                        TopicConfig.MESSAGE_DOWNCONVERSION_ENABLE_DOC)
                .define(
                        TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
                        LONG,
                        HOUR_MS,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_DOC)
                .define(
                        TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG,
                        LONG,
                        Long.MAX_VALUE,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_DOC)
                .define(
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                        STRING,
                        "CreateTime",
                        ValidString.in("CreateTime", "LogAppendTime"),
                        MEDIUM,
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_DOC)
                .define(
                        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
                        DOUBLE,
                        0.5,
                        between(0, 1),
                        MEDIUM,
                        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_DOC)
                .define(
                        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                        LONG,
                        0L,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.MIN_COMPACTION_LAG_MS_DOC)
                .define(
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                        INT,
                        1,
                        atLeast(1),
                        MEDIUM,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_DOC)
                .define(TopicConfig.PREALLOCATE_CONFIG, BOOLEAN, false, MEDIUM, TopicConfig.PREALLOCATE_DOC)
                .define(
                        TopicConfig.REMOTE_COPY_LAG_BYTES_CONFIG,
                        LONG,
                        0L,
                        atLeast(-1),
                        MEDIUM,
                        TopicConfig.REMOTE_COPY_LAG_BYTES_DOC)
                .define(
                        TopicConfig.REMOTE_COPY_LAG_MS_CONFIG,
                        LONG,
                        0L,
                        atLeast(-1),
                        MEDIUM,
                        TopicConfig.REMOTE_COPY_LAG_MS_DOC)
                .define(
                        TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG,
                        BOOLEAN,
                        false,
                        MEDIUM,
                        TopicConfig.REMOTE_LOG_COPY_DISABLE_DOC)
                .define(
                        TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG,
                        BOOLEAN,
                        false,
                        MEDIUM,
                        TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_DOC)
                .define(
                        TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG,
                        BOOLEAN,
                        false,
                        MEDIUM,
                        TopicConfig.REMOTE_LOG_STORAGE_ENABLE_DOC)
                .define(TopicConfig.RETENTION_BYTES_CONFIG, LONG, -1L, MEDIUM, TopicConfig.RETENTION_BYTES_DOC)
                .define(
                        TopicConfig.RETENTION_MS_CONFIG,
                        LONG,
                        WEEK_MS,
                        atLeast(-1),
                        MEDIUM,
                        TopicConfig.RETENTION_MS_DOC)
                .define(
                        TopicConfig.SEGMENT_BYTES_CONFIG,
                        INT,
                        1024 * 1024 * 1024,
                        atLeast(1024 * 1024),
                        MEDIUM,
                        TopicConfig.SEGMENT_BYTES_DOC)
                .define(
                        TopicConfig.SEGMENT_INDEX_BYTES_CONFIG,
                        INT,
                        10 * 1024 * 1024,
                        atLeast(4),
                        MEDIUM,
                        TopicConfig.SEGMENT_INDEX_BYTES_DOC)
                .define(
                        TopicConfig.SEGMENT_JITTER_MS_CONFIG,
                        LONG,
                        0L,
                        atLeast(0),
                        MEDIUM,
                        TopicConfig.SEGMENT_JITTER_MS_DOC)
                .define(TopicConfig.SEGMENT_MS_CONFIG, LONG, WEEK_MS, atLeast(1), MEDIUM, TopicConfig.SEGMENT_MS_DOC)
                .define(
                        TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
                        BOOLEAN,
                        false,
                        MEDIUM,
                        TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_DOC)
                .define(
                        TopicConfig.ERRORS_DEADLETTERQUEUE_GROUP_ENABLE_CONFIG,
                        BOOLEAN,
                        false,
                        MEDIUM,
                        TopicConfig.ERRORS_DEADLETTERQUEUE_GROUP_ENABLE_DOC)
                .defineInternal(
                        INTERNAL_SEGMENT_BYTES_CONFIG,
                        INT,
                        null,
                        NULL_OR_AT_LEAST_14,
                        MEDIUM,
                        "The maximum size of a single log file. This should be used for testing only.");
    }

    // message.downconversion.enable is deprecated (a no-op since Kafka 4.0) but still accepted by Kafka.
    @SuppressWarnings("deprecation")
    private static Map<String, List<Synonym>> buildSynonyms() {
        Map<String, List<Synonym>> m = new TreeMap<>();
        m.put(TopicConfig.SEGMENT_BYTES_CONFIG, List.of(Synonym.same("log.segment.bytes")));
        m.put(
                TopicConfig.SEGMENT_MS_CONFIG,
                List.of(Synonym.same("log.roll.ms"), new Synonym("log.roll.hours", HOUR_MS)));
        m.put(
                TopicConfig.SEGMENT_JITTER_MS_CONFIG,
                List.of(Synonym.same("log.roll.jitter.ms"), new Synonym("log.roll.jitter.hours", HOUR_MS)));
        m.put(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, List.of(Synonym.same("log.index.size.max.bytes")));
        m.put(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, List.of(Synonym.same("log.flush.interval.messages")));
        m.put(
                TopicConfig.FLUSH_MS_CONFIG,
                List.of(Synonym.same("log.flush.interval.ms"), Synonym.same("log.flush.scheduler.interval.ms")));
        m.put(TopicConfig.RETENTION_BYTES_CONFIG, List.of(Synonym.same("log.retention.bytes")));
        m.put(
                TopicConfig.RETENTION_MS_CONFIG,
                List.of(
                        Synonym.same("log.retention.ms"),
                        new Synonym("log.retention.minutes", MINUTE_MS),
                        new Synonym("log.retention.hours", HOUR_MS)));
        m.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, List.of(Synonym.same("message.max.bytes")));
        m.put(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, List.of(Synonym.same("log.index.interval.bytes")));
        m.put(TopicConfig.DELETE_RETENTION_MS_CONFIG, List.of(Synonym.same("log.cleaner.delete.retention.ms")));
        m.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, List.of(Synonym.same("log.cleaner.min.compaction.lag.ms")));
        m.put(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, List.of(Synonym.same("log.cleaner.max.compaction.lag.ms")));
        m.put(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, List.of(Synonym.same("log.segment.delete.delay.ms")));
        m.put(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, List.of(Synonym.same("log.cleaner.min.cleanable.ratio")));
        m.put(TopicConfig.CLEANUP_POLICY_CONFIG, List.of(Synonym.same("log.cleanup.policy")));
        m.put(TopicConfig.PREALLOCATE_CONFIG, List.of(Synonym.same("log.preallocate")));
        m.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, List.of(Synonym.same("log.message.timestamp.type")));
        m.put(
                TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG,
                List.of(Synonym.same("log.message.timestamp.before.max.ms")));
        m.put(
                TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
                List.of(Synonym.same("log.message.timestamp.after.max.ms")));
        m.put(
                TopicConfig.MESSAGE_DOWNCONVERSION_ENABLE_CONFIG,
                List.of(Synonym.same("log.message.downconversion.enable")));
        m.put(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, List.of(Synonym.same("log.local.retention.ms")));
        m.put(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, List.of(Synonym.same("log.local.retention.bytes")));
        for (String sameName : List.of(
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                TopicConfig.COMPRESSION_TYPE_CONFIG,
                TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG,
                TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG,
                TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG,
                TopicConfig.MAX_DECOMPRESSED_MESSAGE_BYTES_CONFIG)) {
            m.put(sameName, List.of(Synonym.same(sameName)));
        }
        return Map.copyOf(m);
    }
}
