package io.piste.broker.config;

import java.io.IOException;
import java.util.Map;

/**
 * Where dynamic broker configs live: the metadata image and log. A scope is {@link #CLUSTER_DEFAULT} for the
 * cluster-wide defaults (the BROKER resource named "") or a node id. Implementations say which threads may call them.
 */
public interface BrokerConfigStore {
    /** The scope of the cluster-wide dynamic defaults; the metadata log's name for it. */
    String CLUSTER_DEFAULT = "default";

    /** The dynamic configs of the scope, empty if none. */
    Map<String, String> brokerConfigs(String scope);

    /** Replaces all dynamic configs of the scope, persists them and applies them to every partition. */
    void replaceBrokerConfigs(String scope, Map<String, String> configs) throws IOException;
}
