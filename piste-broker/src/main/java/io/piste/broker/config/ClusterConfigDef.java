package io.piste.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka's KRaft keys that make a node part of a cluster: its roles, the metadata quorum's voters and timeouts, broker
 * liveness, the rack. Part of {@link BrokerConfigDef}. Stateless.
 */
public final class ClusterConfigDef {

    static final String PROCESS_ROLES_CONFIG = "process.roles";
    static final String QUORUM_VOTERS_CONFIG = "controller.quorum.voters";
    static final String QUORUM_BOOTSTRAP_SERVERS_CONFIG = "controller.quorum.bootstrap.servers";
    static final String ELECTION_TIMEOUT_MS_CONFIG = "controller.quorum.election.timeout.ms";
    static final String REQUEST_TIMEOUT_MS_CONFIG = "controller.quorum.request.timeout.ms";
    static final String SESSION_TIMEOUT_MS_CONFIG = "broker.session.timeout.ms";
    static final String HEARTBEAT_INTERVAL_MS_CONFIG = "broker.heartbeat.interval.ms";
    public static final String AUTO_LEADER_REBALANCE_ENABLE_CONFIG = "auto.leader.rebalance.enable";
    public static final String BROKER_LIVENESS_PROBE_ENABLE_CONFIG = "broker.liveness.probe.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_CONFIG =
            "leader.imbalance.check.interval.seconds";
    public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_CONFIG = "leader.imbalance.per.broker.percentage";
    static final String METADATA_SEGMENT_BYTES_CONFIG = "metadata.log.segment.bytes";
    static final String BROKER_RACK_CONFIG = "broker.rack";
    public static final String REPLICA_SELECTOR_CLASS_CONFIG = "replica.selector.class";
    public static final String REPLICA_LAG_TIME_MAX_MS_CONFIG = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_WAIT_MAX_MS_CONFIG = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES_CONFIG = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_MAX_BYTES_CONFIG = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES_CONFIG = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS_CONFIG = "replica.fetch.backoff.ms";
    public static final String LEADER_REPLICATION_THROTTLED_RATE_CONFIG = "leader.replication.throttled.rate";
    public static final String FOLLOWER_REPLICATION_THROTTLED_RATE_CONFIG = "follower.replication.throttled.rate";
    public static final String REPLICATION_QUOTA_WINDOW_NUM_CONFIG = "replication.quota.window.num";
    public static final String REPLICATION_QUOTA_WINDOW_SIZE_SECONDS_CONFIG = "replication.quota.window.size.seconds";

    private ClusterConfigDef() {}

    static void define(ConfigDef def) {
        def.define(
                        PROCESS_ROLES_CONFIG,
                        STRING,
                        null,
                        HIGH,
                        "The roles this process plays: broker, controller, or both. A Piste node among the "
                                + QUORUM_VOTERS_CONFIG + " is both (the default); one not among them is a "
                                + "broker only (broker); a single node is both.")
                .define(
                        QUORUM_VOTERS_CONFIG,
                        STRING,
                        null,
                        HIGH,
                        "The voters of the metadata quorum, id@host:port,... (the port is each node's CONTROLLER "
                                + "listener). Nodes started with the same voters form one cluster, with no format "
                                + "step. Unset, or naming only this node: a single node, with no quorum.")
                .define(
                        QUORUM_BOOTSTRAP_SERVERS_CONFIG,
                        STRING,
                        null,
                        HIGH,
                        "Some controllers' CONTROLLER listeners, host:port,...: a broker-only node without "
                                + QUORUM_VOTERS_CONFIG + " asks them for the quorum's voters. The quorum is static: "
                                + "controllers list the voters. On a node that is both, it may only name this node's "
                                + "own CONTROLLER listener (Kafka's single-node quick start).")
                .define(
                        ELECTION_TIMEOUT_MS_CONFIG,
                        INT,
                        1000,
                        atLeast(10),
                        HIGH,
                        "How long a voter hears no leader before it starts an election (plus up to as much again "
                                + "at random).")
                .define(
                        REQUEST_TIMEOUT_MS_CONFIG,
                        INT,
                        2000,
                        atLeast(10),
                        HIGH,
                        "How long a metadata change may wait for the quorum to commit it.")
                .define(
                        SESSION_TIMEOUT_MS_CONFIG,
                        INT,
                        9000,
                        atLeast(2),
                        MEDIUM,
                        "A broker the quorum's leader has not heard from for this long is fenced: its partitions "
                                + "get other leaders and clients are no longer sent to it.")
                .define(
                        HEARTBEAT_INTERVAL_MS_CONFIG,
                        INT,
                        2000,
                        atLeast(1),
                        MEDIUM,
                        "How often the quorum's leader checks the brokers' liveness, and a fenced broker that "
                                + "serves asks to be unfenced.")
                .define(
                        BROKER_LIVENESS_PROBE_ENABLE_CONFIG,
                        BOOLEAN,
                        true,
                        MEDIUM,
                        "Piste's: when a broker's quorum member has not answered the active controller for "
                                + "controller.quorum.election.timeout.ms, the controller connects to the broker's "
                                + "listener and fences it at once if the connection is refused (nothing listens: its "
                                + "process is gone), rather than after broker.session.timeout.ms. false keeps Kafka's "
                                + "behaviour: only the session timeout fences.")
                .define(
                        AUTO_LEADER_REBALANCE_ENABLE_CONFIG,
                        BOOLEAN,
                        true,
                        HIGH,
                        "Whether the active controller moves leadership back to the preferred replicas of the "
                                + "brokers whose imbalance is above " + LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_CONFIG
                                + ", every " + LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_CONFIG + ".")
                .define(
                        LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS_CONFIG,
                        LONG,
                        300L,
                        atLeast(1),
                        HIGH,
                        "How often the active controller checks the leader imbalance.")
                .define(
                        LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_CONFIG,
                        INT,
                        10,
                        atLeast(0),
                        HIGH,
                        "The share, in percent, of the partitions a broker is the preferred replica of but does not "
                                + "lead above which their preferred leaders are elected again.")
                .define(
                        METADATA_SEGMENT_BYTES_CONFIG,
                        INT,
                        8 << 20,
                        atLeast(1 << 20),
                        MEDIUM,
                        "The size of a segment of the metadata quorum's log. Piste's default is 8 MiB, not "
                                + "Kafka's 1 GiB: segments are deleted whole once a snapshot covers them.")
                .define(
                        BROKER_RACK_CONFIG,
                        STRING,
                        "",
                        MEDIUM,
                        "The rack of this broker: replicas are spread " + "over racks.")
                .define(
                        REPLICA_SELECTOR_CLASS_CONFIG,
                        STRING,
                        null,
                        MEDIUM,
                        "The ReplicaSelector a leader asks where a consumer that names its rack (client.rack) should "
                                + "read from (KIP-392), e.g. org.apache.kafka.common.replica.RackAwareReplicaSelector; "
                                + "none: consumers read from leaders.")
                .define(
                        REPLICA_LAG_TIME_MAX_MS_CONFIG,
                        LONG,
                        30000L,
                        atLeast(1),
                        HIGH,
                        "How long a follower may lag or not fetch before the leader removes it from the ISR.")
                .define(
                        REPLICA_FETCH_WAIT_MAX_MS_CONFIG,
                        INT,
                        500,
                        atLeast(0),
                        MEDIUM,
                        "How long a follower's fetch waits at the leader for new data.")
                .define(
                        REPLICA_FETCH_MIN_BYTES_CONFIG,
                        INT,
                        1,
                        atLeast(1),
                        MEDIUM,
                        "The least data a follower's fetch waits for.")
                .define(
                        REPLICA_FETCH_MAX_BYTES_CONFIG,
                        INT,
                        1024 * 1024,
                        atLeast(0),
                        MEDIUM,
                        "The most bytes a follower fetches per partition (the first batch whole if larger).")
                .define(
                        REPLICA_FETCH_RESPONSE_MAX_BYTES_CONFIG,
                        INT,
                        10 * 1024 * 1024,
                        atLeast(0),
                        MEDIUM,
                        "The most bytes a follower fetches in one response.")
                .define(
                        REPLICA_FETCH_BACKOFF_MS_CONFIG,
                        INT,
                        1000,
                        atLeast(0),
                        MEDIUM,
                        "How long a follower waits before fetching a partition again after an error.")
                .define(
                        LEADER_REPLICATION_THROTTLED_RATE_CONFIG,
                        LONG,
                        Long.MAX_VALUE,
                        atLeast(1),
                        MEDIUM,
                        "The most bytes/s a leader sends to out-of-sync followers of the replicas its topics' "
                                + "leader.replication.throttled.replicas name (dynamic); in-sync followers are never "
                                + "held back.")
                .define(
                        FOLLOWER_REPLICATION_THROTTLED_RATE_CONFIG,
                        LONG,
                        Long.MAX_VALUE,
                        atLeast(1),
                        MEDIUM,
                        "The most bytes/s this node fetches as a follower for the out-of-sync replicas its topics' "
                                + "follower.replication.throttled.replicas name (dynamic), over all its fetchers.")
                .define(
                        REPLICATION_QUOTA_WINDOW_NUM_CONFIG,
                        INT,
                        11,
                        atLeast(1),
                        LOW,
                        "The number of samples the replication throttle measures its rate over.")
                .define(
                        REPLICATION_QUOTA_WINDOW_SIZE_SECONDS_CONFIG,
                        INT,
                        1,
                        atLeast(1),
                        LOW,
                        "The time span of each sample of the replication throttle.");
    }
}
