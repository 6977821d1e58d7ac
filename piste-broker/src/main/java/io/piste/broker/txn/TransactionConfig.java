package io.piste.broker.txn;

import io.piste.broker.config.BrokerConfig;

/**
 * The transaction coordinator's settings, under Kafka's broker config names.
 *
 * @param stateLogPartitions {@code transaction.state.log.num.partitions} (Kafka: 50)
 * @param stateLogSegmentBytes {@code transaction.state.log.segment.bytes} (Kafka: 104857600)
 * @param maxTimeoutMs {@code transaction.max.timeout.ms}: the longest transaction.timeout.ms a producer may ask
 *     for (Kafka: 900000)
 * @param idExpirationMs {@code transactional.id.expiration.ms}: how long a transactional id without a
 *     transaction is kept (Kafka: 604800000, 7 days)
 * @param abortTimedOutIntervalMs {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}: how often
 *     transactions past their timeout are looked for (Kafka: 10000)
 * @param removeExpiredIntervalMs {@code transaction.remove.expired.transaction.cleanup.interval.ms}: how often
 *     expired transactional ids are looked for (Kafka: 3600000)
 * @param partitionVerification {@code transaction.partition.verification.enable}: whether a transactional produce
 *     is checked against the coordinator before it is appended (KIP-890; Kafka: true)
 * @param transactionVersion {@code transaction.version}, Piste's setting of the level of Kafka's feature of that
 *     name: 1 (the default) keeps clients on transaction protocol v1; 2 lets kafka-clients 4 use v2 (KIP-890), which
 *     Piste does not yet serve correctly under a producer's pipelined load (batches out of sequence)
 */
public record TransactionConfig(
        int stateLogPartitions,
        int stateLogSegmentBytes,
        int maxTimeoutMs,
        long idExpirationMs,
        long abortTimedOutIntervalMs,
        long removeExpiredIntervalMs,
        boolean partitionVerification,
        short transactionVersion) {

    public static final TransactionConfig KAFKA_DEFAULTS =
            new TransactionConfig(50, 104_857_600, 900_000, 604_800_000L, 10_000L, 3_600_000L, true, (short) 2);

    /** The settings in the broker's config (validated there as Kafka validates them: every number at least 1). */
    public static TransactionConfig from(BrokerConfig config) {
        return new TransactionConfig(
                config.getInt("transaction.state.log.num.partitions"),
                config.getInt("transaction.state.log.segment.bytes"),
                config.getInt("transaction.max.timeout.ms"),
                config.getInt("transactional.id.expiration.ms"),
                config.getInt("transaction.abort.timed.out.transaction.cleanup.interval.ms"),
                config.getInt("transaction.remove.expired.transaction.cleanup.interval.ms"),
                config.getBoolean("transaction.partition.verification.enable"),
                (short) config.getInt("transaction.version"));
    }
}
