package io.piste.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;

import org.apache.kafka.common.config.ConfigDef;

/**
 * The broker configs of the transaction coordinator, with Kafka's names, types, defaults and validators (Kafka's
 * TransactionLogConfig and TransactionStateManagerConfig); read by the coordinator's package through
 * {@link BrokerConfig#getInt(String)} and its siblings. Part of {@link BrokerConfigDef}. Stateless.
 */
final class TransactionConfigDef {

    private TransactionConfigDef() {}

    static void define(ConfigDef def) {
        def.define(
                        "transaction.state.log.num.partitions",
                        INT,
                        50,
                        atLeast(1),
                        HIGH,
                        "The number of partitions for the transaction topic (should not change after deployment).")
                .define(
                        "transaction.state.log.replication.factor",
                        SHORT,
                        (short) 3,
                        atLeast(1),
                        HIGH,
                        "The replication factor for the transaction topic (set higher to ensure availability). "
                                + "Internal topic creation will fail until the cluster size meets this replication "
                                + "factor requirement. A single node creates it with one replica.")
                .define(
                        "transaction.state.log.min.isr",
                        INT,
                        2,
                        atLeast(1),
                        HIGH,
                        "The minimum number of replicas that must acknowledge a write to the transaction topic in "
                                + "order to be considered successful (its min.insync.replicas when it is replicated).")
                .define(
                        "transaction.state.log.segment.bytes",
                        INT,
                        100 * 1024 * 1024,
                        atLeast(1),
                        HIGH,
                        "The segment size of the transaction topic, kept small so that compaction and loads at "
                                + "start-up are fast.")
                .define(
                        "transaction.max.timeout.ms",
                        INT,
                        15 * 60 * 1000,
                        atLeast(1),
                        HIGH,
                        "The longest transaction timeout a producer may ask for; InitProducerId with a longer one is "
                                + "refused, so that a transaction cannot stall read_committed consumers for longer.")
                .define(
                        "transactional.id.expiration.ms",
                        INT,
                        7 * 24 * 60 * 60 * 1000,
                        atLeast(1),
                        HIGH,
                        "How long the transaction coordinator keeps a transactional id that has received no "
                                + "transaction status update; an id is never expired while its transaction is ongoing.")
                .define(
                        "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                        INT,
                        10 * 1000,
                        atLeast(1),
                        LOW,
                        "How often transactions past their timeout are looked for and aborted.")
                .define(
                        "transaction.remove.expired.transaction.cleanup.interval.ms",
                        INT,
                        60 * 60 * 1000,
                        atLeast(1),
                        LOW,
                        "How often transactional ids past transactional.id.expiration.ms are looked for and removed.")
                .define(
                        "transaction.partition.verification.enable",
                        BOOLEAN,
                        true,
                        LOW,
                        "Whether a transactional produce is checked to be to a partition already added to its "
                                + "transaction before it is written.")
                .define(
                        "transaction.version",
                        INT,
                        2,
                        between(1, 2),
                        MEDIUM,
                        "Piste's own: the level of Kafka's transaction.version feature the broker finalizes (set in "
                                + "Kafka with kafka-storage format or kafka-features). 2 (the default, as a new Kafka 4 "
                                + "cluster's) lets kafka-clients 4 use transaction protocol v2 (KIP-890: an epoch bump "
                                + "at each transaction's end, partitions added by the broker); 1 keeps every client on "
                                + "protocol v1.");
    }
}
