package io.piste.broker.replication;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.config.ClusterConfigDef;

/**
 * Kafka's {@code replica.*} configs as the followers and leaders of this node use them.
 *
 * @param listenerName the listener other brokers are reached on (this node's own)
 * @param requestTimeoutMs how long a fetch may wait for its connection and its answer
 * @param maxWaitMs {@code replica.fetch.wait.max.ms}
 * @param minBytes {@code replica.fetch.min.bytes}
 * @param partitionMaxBytes {@code replica.fetch.max.bytes}
 * @param responseMaxBytes {@code replica.fetch.response.max.bytes}
 * @param backoffMs {@code replica.fetch.backoff.ms}
 * @param lagTimeMaxMs {@code replica.lag.time.max.ms}
 * @param quotaWindows {@code replication.quota.window.num}
 * @param quotaWindowMs {@code replication.quota.window.size.seconds}, in ms
 */
public record ReplicationSettings(
        String listenerName,
        int requestTimeoutMs,
        int maxWaitMs,
        int minBytes,
        int partitionMaxBytes,
        int responseMaxBytes,
        int backoffMs,
        long lagTimeMaxMs,
        int quotaWindows,
        long quotaWindowMs) {

    /** As Kafka's {@code request.timeout.ms} for the requests between brokers. */
    static final int REQUEST_TIMEOUT_MS = 30_000;

    public static ReplicationSettings from(BrokerConfig config) {
        return new ReplicationSettings(
                config.listener().listenerName(),
                REQUEST_TIMEOUT_MS,
                config.getInt(ClusterConfigDef.REPLICA_FETCH_WAIT_MAX_MS_CONFIG),
                config.getInt(ClusterConfigDef.REPLICA_FETCH_MIN_BYTES_CONFIG),
                config.getInt(ClusterConfigDef.REPLICA_FETCH_MAX_BYTES_CONFIG),
                config.getInt(ClusterConfigDef.REPLICA_FETCH_RESPONSE_MAX_BYTES_CONFIG),
                config.getInt(ClusterConfigDef.REPLICA_FETCH_BACKOFF_MS_CONFIG),
                config.getLong(ClusterConfigDef.REPLICA_LAG_TIME_MAX_MS_CONFIG),
                config.getInt(ClusterConfigDef.REPLICATION_QUOTA_WINDOW_NUM_CONFIG),
                config.getInt(ClusterConfigDef.REPLICATION_QUOTA_WINDOW_SIZE_SECONDS_CONFIG) * 1000L);
    }
}
